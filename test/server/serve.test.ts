/**
 * `devstral serve` for real: the built CLI in a child process, node-llama-cpp on a tiny random-weight GGUF the
 * suite writes, and the official openai client as the caller.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const KEY = 'test-key-123';
let server: ChildProcess;
let baseURL: string;
let client: OpenAI;
let stderr = '';

const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    // A bounded string: random weights write a free string until max_tokens.
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 12 }, days: { type: 'number' }, unit: { enum: ['c', 'f'] } }, required: ['city', 'days', 'unit'] },
  },
};
// Enums, not free strings: a random-weight model writes a free string until max_tokens.
const SEARCH = { type: 'function' as const, function: { name: 'search', parameters: { type: 'object', properties: { query: { enum: ['docs', 'code', 'issues'] }, limit: { type: 'boolean' } }, required: ['query', 'limit'] } } };

async function health(): Promise<{ status: number; body: { status: string; slots?: { busy: number; queued: number } } }> {
  const res = await fetch(`${baseURL.replace(/\/v1$/, '')}/health`);
  return { status: res.status, body: (await res.json()) as never };
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}\n${stderr}`);
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devstral-serve-'));
  const model = join(dir, 'tiny.gguf');
  await writeTinyGguf(model);
  const port = 20000 + Math.floor(Math.random() * 20000);
  server = spawn(process.execPath, [bin, 'serve', '--model', model, '--port', String(port), '--parallel', '4', '--threads', '1', '--ctx', '1024', '--api-key', KEY, '--served-model-name', 'devstral-test'], { stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr!.on('data', (d) => (stderr += d));
  baseURL = `http://127.0.0.1:${port}/v1`;
  client = new OpenAI({ baseURL, apiKey: KEY, maxRetries: 0 });
  await waitFor(async () => (await health()).status === 200, 'the server to be ready');
});

after(() => {
  server.kill('SIGKILL');
});

describe('devstral serve', () => {
  it('/health and /v1/models', async () => {
    const h = await health();
    assert.equal(h.body.status, 'ok');
    const models = await client.models.list();
    assert.equal(models.data[0]!.id, 'devstral-test');
    assert.equal((models.data[0] as unknown as { context_length: number }).context_length, 1024);
  });

  it('chat: text, usage, finish_reason length', async () => {
    const r = await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'hello' }] }], max_tokens: 8 });
    assert.equal(typeof r.choices[0]!.message.content, 'string');
    assert.equal(r.choices[0]!.finish_reason, 'length');
    assert.equal(r.usage!.completion_tokens, 8);
    assert.ok(r.usage!.prompt_tokens > 0);
    assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + 8);
  });

  it('streaming ends with usage and [DONE]; the text equals the non-streamed text for the same seed', async () => {
    const params = { model: 'devstral-test', messages: [{ role: 'user' as const, content: 'count' }], max_tokens: 12, seed: 7, temperature: 1 };
    const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(finish, 'length');
    assert.equal(usage?.completion_tokens, 12);
    const once = await client.chat.completions.create(params);
    assert.equal(once.choices[0]!.message.content, text, 'same seed, same output');
  });

  it('the same seed and request give the same output; another seed differs', async () => {
    const ask = (seed: number) => client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'x' }], max_tokens: 16, temperature: 1, seed });
    const [a, b, c] = [await ask(42), await ask(42), await ask(43)];
    assert.equal(a.choices[0]!.message.content, b.choices[0]!.message.content);
    assert.notEqual(a.choices[0]!.message.content, c.choices[0]!.message.content);
  });

  it('stop sequences end the text before them', async () => {
    const base = { model: 'devstral-test', messages: [{ role: 'user' as const, content: 'y' }], max_tokens: 30, temperature: 1, seed: 5 };
    const full = (await client.chat.completions.create(base)).choices[0]!.message.content!;
    const stopAt = full.slice(10, 12);
    const cut = await client.chat.completions.create({ ...base, stop: [stopAt] });
    assert.equal(cut.choices[0]!.finish_reason, 'stop');
    assert.ok(full.startsWith(cut.choices[0]!.message.content!));
    assert.ok(!cut.choices[0]!.message.content!.includes(stopAt));
  });

  it('tool_choice required: schema-valid tool_calls with 9-character ids', async () => {
    const r = await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'weather in Paris?' }], tools: [WEATHER, SEARCH], tool_choice: 'required', parallel_tool_calls: false, max_tokens: 400, seed: 1 });
    const choice = r.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    const calls = choice.message.tool_calls!;
    assert.ok(calls.length >= 1);
    for (const call of calls) {
      assert.equal(call.type, 'function');
      assert.match(call.id, /^[a-zA-Z0-9]{9}$/);
      const fn = (call as { function: { name: string; arguments: string } }).function;
      const args = JSON.parse(fn.arguments);
      if (fn.name === 'get_weather') {
        assert.ok(typeof args.city === 'string' && [...args.city].length <= 12, args.city); // JSON Schema counts code points
        assert.equal(typeof args.days, 'number');
        assert.ok(['c', 'f'].includes(args.unit));
      } else {
        assert.equal(fn.name, 'search');
        assert.ok(['docs', 'code', 'issues'].includes(args.query));
      }
    }
    assert.ok(!(choice.message.content ?? '').includes('[TOOL_CALLS]'));
  });

  it('a named tool_choice calls that tool, streamed as OpenAI deltas', async () => {
    const stream = await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'find docs' }], tools: [WEATHER, SEARCH], tool_choice: { type: 'function', function: { name: 'search' } }, parallel_tool_calls: false, max_tokens: 400, stream: true, seed: 4 });
    const calls: { id?: string; name?: string; args: string }[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[d.index] ??= { args: '' });
        if (d.id) call.id = d.id;
        if (d.function?.name) call.name = d.function.name;
        call.args += d.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(calls[0]!.name, 'search');
    assert.match(calls[0]!.id!, /^[a-zA-Z0-9]{9}$/);
    assert.ok(['docs', 'code', 'issues'].includes(JSON.parse(calls[0]!.args).query));
  });

  it('a conversation with tool calls and results (client ids of any form) is accepted, and the result reaches the prompt', async () => {
    const ask = (result: string) =>
      client.chat.completions.create({
        model: 'devstral-test',
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_abcdefghijklmnop', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","days":1,"unit":"c"}' } }] },
          { role: 'tool', tool_call_id: 'call_abcdefghijklmnop', content: result },
        ],
        tools: [WEATHER],
        max_tokens: 5,
      });
    const short = await ask('sunny');
    const long = await ask('sunny, 21 degrees, a light breeze from the west');
    assert.equal(short.choices[0]!.finish_reason, 'length');
    assert.ok(long.usage!.prompt_tokens >= short.usage!.prompt_tokens + 20, `${long.usage!.prompt_tokens} vs ${short.usage!.prompt_tokens}: the tool result is rendered into the prompt`);
  });

  it('response_format json_schema output parses and matches', async () => {
    // No free-form strings (random weights write them without end) and no integers (node-llama-cpp's JSON
    // grammar lets them carry an exponent, e.g. 72E75557).
    const schema = { type: 'object', properties: { size: { enum: ['s', 'm', 'l'] }, ok: { type: 'boolean' }, tags: { type: 'array', items: { enum: ['a', 'b'] } } }, required: ['size', 'ok', 'tags'] };
    const r = await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'json' }], response_format: { type: 'json_schema', json_schema: { name: 'x', schema } }, max_tokens: 300, seed: 2 });
    const value = JSON.parse(r.choices[0]!.message.content!);
    assert.ok(['s', 'm', 'l'].includes(value.size));
    assert.equal(typeof value.ok, 'boolean');
    assert.ok(Array.isArray(value.tags) && value.tags.every((t: string) => t === 'a' || t === 'b'));
    // json_object: any object, so a random-weight model may write until max_tokens; every answer starts an
    // object, and the ones that end parse to one (at least one of a few seeds ends).
    let ended = 0;
    for (const seed of [3, 4, 5, 6, 7, 8]) {
      const obj = await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'json' }], response_format: { type: 'json_object' }, max_tokens: 300, seed });
      const content = obj.choices[0]!.message.content!;
      assert.match(content, /^\{/);
      if (obj.choices[0]!.finish_reason !== 'stop') continue;
      const parsed = JSON.parse(content) as unknown;
      assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), content);
      ended++;
    }
    assert.ok(ended > 0, 'a json_object answer ended and parsed');
  });

  it('a prompt near the context with a huge max_tokens: generation stops at the context (finish length), no 500', async () => {
    const counted = async (n: number) => (await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'x'.repeat(n) }], max_tokens: 1 })).usage!.prompt_tokens;
    const base = await counted(0);
    const r = await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'x'.repeat(1024 - base - 20) }], max_tokens: 100_000, temperature: 1, seed: 3 });
    assert.equal(r.choices[0]!.finish_reason, 'length');
    assert.ok(r.usage!.total_tokens <= 1024, `total ${r.usage!.total_tokens} within the 1024-token context`);
    assert.ok(r.usage!.completion_tokens > 0);
    await assert.rejects(client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'x'.repeat(1100) }] }), (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === 'context_length_exceeded');
  });

  it('a tool call cut by max_tokens: finish_reason length with the call kept; streamed arguments equal the non-streamed ones', async () => {
    const params = { model: 'devstral-test', messages: [{ role: 'user' as const, content: 'weather' }], tools: [WEATHER], tool_choice: 'required' as const, max_tokens: 24, temperature: 0 };
    const once = await client.chat.completions.create(params);
    assert.equal(once.choices[0]!.finish_reason, 'length');
    const cut = once.choices[0]!.message.tool_calls![0] as { id: string; function: { name: string; arguments: string } };
    assert.equal(cut.function.name, 'get_weather');
    assert.ok(cut.function.arguments.startsWith('{'));
    assert.throws(() => JSON.parse(cut.function.arguments), 'the arguments stop where the limit cut them');
    let streamed = '';
    let finish: string | null = null;
    for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
      streamed += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, 'length');
    assert.equal(streamed, cut.function.arguments);
  });

  it('/v1/completions', async () => {
    const r = await client.completions.create({ model: 'devstral-test', prompt: 'Once upon', max_tokens: 6 });
    assert.equal(typeof r.choices[0]!.text, 'string');
    assert.equal(r.usage!.completion_tokens, 6);
  });

  it('a growing conversation reuses the prefix already evaluated (usage.prompt_tokens_details.cached_tokens)', async () => {
    const turn1 = [{ role: 'system' as const, content: 'You are a coding agent. '.repeat(20) }, { role: 'user' as const, content: 'first task' }];
    const a = await client.chat.completions.create({ model: 'devstral-test', messages: turn1, max_tokens: 4, seed: 9 });
    const turn2 = [...turn1, { role: 'assistant' as const, content: a.choices[0]!.message.content ?? '' }, { role: 'user' as const, content: 'second task' }];
    const b = await client.chat.completions.create({ model: 'devstral-test', messages: turn2, max_tokens: 4, seed: 9 });
    const cached = b.usage!.prompt_tokens_details?.cached_tokens ?? 0;
    assert.ok(cached >= a.usage!.prompt_tokens - 2, `cached ${cached} of the first turn's ${a.usage!.prompt_tokens} prompt tokens`);
    assert.ok(cached < b.usage!.prompt_tokens);
  });

  it('four parallel streams complete, and a fifth waits in the queue and completes', async () => {
    const run = async () => {
      const stream = await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'p' }], max_tokens: 64, stream: true });
      let n = 0;
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) n++;
      return n;
    };
    let queuedSeen = 0;
    const watch = setInterval(() => void health().then((h) => (queuedSeen = Math.max(queuedSeen, h.body.slots?.queued ?? 0)), () => undefined), 5);
    let results: number[];
    try {
      results = await Promise.all([run(), run(), run(), run(), run()]);
    } finally {
      clearInterval(watch);
    }
    assert.equal(results.length, 5);
    assert.ok(results.every((n) => n > 0));
    assert.ok(queuedSeen > 0, 'the fifth request was seen waiting in the queue');
    assert.equal((await health()).body.slots?.busy, 0);
  });

  it('a client that disconnects frees its sequence at once', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'long' }], max_tokens: 1000, stream: true }, { signal: controller.signal });
    for await (const _ of stream) {
      controller.abort();
      break;
    }
    await waitFor(async () => (await health()).body.slots?.busy === 0, 'the sequence to be freed');
  });

  it('every bad request gets an OpenAI-shaped error with the right status, and the server keeps serving', async () => {
    const post = (body: string, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) =>
      fetch(`${baseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('{not json'), 400, /not valid JSON/],
      [post('{"model":"devstral-test"}'), 400, /messages/],
      [post('{"model":"other","messages":[{"role":"user","content":"x"}]}'), 404, /does not exist/],
      [post('{"model":"devstral-test","n":2,"messages":[{"role":"user","content":"x"}]}'), 400, /n/],
      [post(JSON.stringify({ model: 'devstral-test', messages: [{ role: 'user', content: 'word '.repeat(2000) }] })), 400, /maximum context length is 1024 tokens/],
      [post('x'.repeat(40 * 1024 * 1024)), 413, /limit/],
      [post('{"model":"devstral-test","messages":[{"role":"user","content":"x"}]}', {}), 401, /API key/],
      [post('{"model":"devstral-test","messages":[{"role":"user","content":"x"}]}', { authorization: 'Bearer wrong' }), 401, /Incorrect API key/],
    ];
    for (const [request, status, message] of cases) {
      const res = await request;
      const body = (await res.json()) as { error: { message: string; type: string; param: unknown; code: unknown } };
      assert.equal(res.status, status, body.error.message);
      assert.match(body.error.message, message);
      assert.ok('type' in body.error && 'param' in body.error && 'code' in body.error);
    }
    await assert.rejects(client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'x' }], n: 3 }), (e: InstanceType<typeof OpenAI.BadRequestError>) => e.status === 400);
    const ok = await client.chat.completions.create({ model: 'devstral-test', messages: [{ role: 'user', content: 'still there?' }], max_tokens: 2 });
    assert.equal(ok.choices.length, 1);
  });

  it('SIGTERM stops it cleanly with exit code 0', async () => {
    const code = await new Promise<number | null>((resolve) => {
      server.once('exit', (c) => resolve(c));
      server.kill('SIGTERM');
    });
    assert.equal(code, 0, stderr);
  });
});
