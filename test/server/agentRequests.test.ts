/**
 * The requests Claude Code 2.1.197 and Codex 0.171.0 really sent (test/fixtures/agents, recorded on the wire),
 * replayed byte for byte with their headers against `devstral serve` on a tiny model with Mistral's real 131k
 * vocabulary, so the prompts are agent-sized (~19k tokens for Claude Code). The context is set just above Claude
 * Code's second turn: its `max_tokens: 32000` must be capped to what is left, and Codex, which asks nothing, gets
 * --max-tokens-default.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe, type ServeProcess } from '../support/startServe.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const fixture = (name: string): Recorded => JSON.parse(readFileSync(new URL(`../fixtures/agents/${name}`, import.meta.url), 'utf8'));
const claude1 = fixture('claude-code-messages-turn1.json');
const claude2 = fixture('claude-code-messages-turn2.json');
const claudeCount = fixture('claude-code-count-tokens.json');
const codex1 = fixture('codex-responses-turn1.json');
const codex2 = fixture('codex-responses-turn2.json');
const KEY = 'test-token'; // what the fixtures carry
const OUTPUT_ROOM = 40;
let server: ServeProcess;
let model: string;

/** Replays a recorded request: its method, path (with query), headers and body. */
function replay(recorded: Recorded, body = recorded.body): Promise<Response> {
  const headers = Object.fromEntries(Object.entries(recorded.headers).filter(([k]) => !['host', 'content-length', 'accept-encoding', 'connection'].includes(k)));
  return fetch(`${server.origin}${recorded.path}`, { method: recorded.method, headers, body: JSON.stringify(body) });
}

async function events(res: Response): Promise<{ event: string; data: { type: string } & Record<string, unknown> }[]> {
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  return (await res.text())
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => ({ event: /^event: (.+)$/m.exec(block)?.[1] ?? '', data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) }));
}

before(async () => {
  model = join(mkdtempSync(join(tmpdir(), 'devstral-agents-')), 'tekken-tiny.gguf');
  await writeTinyGguf(model, { vocabulary: 'tekken', tensorType: 'F16', contextLength: 131072 });
  // How long Claude Code's second turn is with this tokenizer, then a context just above it.
  const probe = await startServe(['--model', model, '--threads', '2', '--ctx', '32768', '--api-key', KEY, '--served-model-name', 'devstral-small-1.1']);
  let turn2Tokens: number;
  try {
    server = probe;
    turn2Tokens = ((await (await replay({ ...claude2, path: '/v1/messages/count_tokens?beta=true' })).json()) as { input_tokens: number }).input_tokens;
  } finally {
    await probe.stop();
  }
  server = await startServe(['--model', model, '--threads', '2', '--ctx', String(turn2Tokens + OUTPUT_ROOM), '--max-tokens-default', String(OUTPUT_ROOM), '--api-key', KEY, '--served-model-name', 'devstral-small-1.1']);
});

after(() => server?.stop());

describe("Claude Code's and Codex's own requests", () => {
  let turn1Prompt = 0;

  it('Claude Code: HEAD /, then count_tokens as it sends it', async () => {
    assert.equal((await fetch(`${server.origin}/`, { method: 'HEAD' })).status, 200);
    const res = await replay(claudeCount);
    assert.equal(res.status, 200, await res.clone().text());
    const { input_tokens } = (await res.json()) as { input_tokens: number };
    assert.ok(input_tokens > 100, String(input_tokens));
  });

  it('Claude Code turn 1 (24 tools, system blocks, a system message, max_tokens 32000): a complete stream, capped to the context, usage as count_tokens says', async () => {
    const counted = ((await (await replay({ ...claude1, path: '/v1/messages/count_tokens?beta=true' })).json()) as { input_tokens: number }).input_tokens;
    assert.ok(counted > 10_000, `agent-sized prompt: ${counted} tokens`);
    const list = await events(await replay(claude1));
    for (const e of list) assert.equal(e.event, e.data.type);
    const types = list.map((e) => e.data.type).filter((t) => t !== 'ping');
    assert.equal(types[0], 'message_start');
    assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
    const delta = list.find((e) => e.data.type === 'message_delta')!.data as unknown as { delta: { stop_reason: string }; usage: { input_tokens: number; cache_read_input_tokens: number; output_tokens: number } };
    assert.equal(delta.usage.input_tokens + delta.usage.cache_read_input_tokens, counted, 'usage agrees with count_tokens');
    assert.ok(['max_tokens', 'end_turn', 'tool_use'].includes(delta.delta.stop_reason));
    assert.ok(counted + delta.usage.output_tokens < counted + OUTPUT_ROOM + 200, 'generation stayed inside the context');
    turn1Prompt = counted;
  });

  it('Claude Code turn 2 (tool_result as a string with cache_control): most of the prompt is read from the cache', async () => {
    const list = await events(await replay(claude2));
    const start = list[0]!.data as unknown as { message: { usage: { input_tokens: number; cache_read_input_tokens: number } } };
    assert.ok(start.message.usage.cache_read_input_tokens > turn1Prompt * 0.9, `cache read ${start.message.usage.cache_read_input_tokens} of ${turn1Prompt}`);
    assert.equal(list.at(-1)!.data.type, 'message_stop');
  });

  it('Codex turn 1 (developer items, namespace and web_search tools, no max_output_tokens): a complete Responses stream', async () => {
    const list = await events(await replay(codex1));
    assert.equal(list[0]!.data.type, 'response.created');
    list.forEach((e, i) => assert.equal(e.data.sequence_number, i));
    const last = list.at(-1)!.data as unknown as { type: string; response: { status: string; usage: { output_tokens: number; input_tokens: number } } };
    assert.ok(last.type === 'response.completed' || last.type === 'response.incomplete', last.type);
    assert.ok(last.response.usage.output_tokens <= OUTPUT_ROOM, 'no max_output_tokens: the server default applies');
    assert.ok(last.response.usage.input_tokens > 5000);
  });

  it('Codex turn 2 (the whole history again, with function_call and function_call_output): the prefix is reused', async () => {
    const list = await events(await replay(codex2));
    const last = list.at(-1)!.data as unknown as { response: { usage: { input_tokens: number; input_tokens_details: { cached_tokens: number } } } };
    const usage = last.response.usage;
    assert.ok(usage.input_tokens_details.cached_tokens > usage.input_tokens * 0.8, `cached ${usage.input_tokens_details.cached_tokens} of ${usage.input_tokens}`);
  });
});
