/**
 * With one sequence (serve's default), a short request with its output bounded runs in a small side context: the long
 * conversation cached in the main sequence survives it, and the next turn reads its prefix from the cache.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startServe, type ServeProcess } from '../support/startServe.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

let server: ServeProcess;
let client: OpenAI;
// About one token per character with the suite's byte vocabulary: a 3000-token conversation.
const conversation = [{ role: 'user' as const, content: `Review this file:\n${'const x = 1;\n'.repeat(230)}` }];

before(async () => {
  const model = join(mkdtempSync(join(tmpdir(), 'devstral-side-')), 'tiny.gguf');
  await writeTinyGguf(model, { contextLength: 8192 });
  server = await startServe(['--model', model, '--threads', '2', '--ctx', '8192']);
  client = new OpenAI({ baseURL: `${server.origin}/v1`, apiKey: 'none', maxRetries: 0 });
});
after(() => server?.stop());

const chat = async (messages: OpenAI.ChatCompletionMessageParam[], maxTokens?: number) => {
  const r = await client.chat.completions.create({ model: 'tiny', messages, temperature: 0, ...(maxTokens ? { max_tokens: maxTokens } : {}) });
  return { prompt: r.usage!.prompt_tokens, cached: r.usage!.prompt_tokens_details?.cached_tokens ?? 0 };
};

describe('the side context', () => {
  it('a short probe between two turns leaves the cached conversation alone', async () => {
    const first = await chat(conversation, 4);
    assert.ok(first.prompt > 2048, `a long conversation: ${first.prompt} tokens`);
    await chat([{ role: 'user', content: 'Call ping.' }], 16);
    assert.match(server.stderr(), /16 generated in .*, side context/);
    const again = await chat(conversation, 4);
    assert.ok(again.cached >= first.prompt - 16, `${again.cached} of ${again.prompt} cached`);
  });

  it('a request that names no output limit uses the main context (it may need all of it)', async () => {
    await chat(conversation, 4);
    await chat([{ role: 'user', content: 'Call ping.' }]);
    const again = await chat(conversation, 4);
    assert.ok(again.cached < 100, `the conversation was evaluated again: ${again.cached} cached`);
  });
});
