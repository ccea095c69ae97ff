/**
 * Anthropic Messages on `devstral serve`, driven by the official @anthropic-ai/sdk against the built CLI on the
 * suite's tiny GGUF.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startServe, type ServeProcess } from '../support/startServe.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const KEY = 'test-key-anthropic';
const MODEL = 'devstral-test';
let server: ServeProcess;
let client: Anthropic;

// Keywords Claude Code's tools use ($schema, anyOf/const, exclusiveMinimum, format, propertyNames, optional
// properties); strings bounded, as random weights write a free string until max_tokens.
const EDIT = {
  name: 'edit',
  description: 'Edit a file',
  input_schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      path: { type: 'string', pattern: '^[a-z./]{1,8}$', format: 'uri' }, // ASCII: a random-weight model writes broken UTF-8 into free strings
      mode: { anyOf: [{ const: 'replace' }, { const: 'append' }] },
      count: { type: 'integer', exclusiveMinimum: 0, maximum: 5 },
      replace_all: { type: 'boolean', default: false },
      tags: { type: 'object', propertyNames: { pattern: '^[a-z]+$' }, additionalProperties: { type: 'boolean' }, maxProperties: 2 },
    },
    required: ['path', 'mode'],
    additionalProperties: false,
  },
} as Anthropic.Tool;
const PICK: Anthropic.Tool = { name: 'pick', input_schema: { type: 'object', properties: { choice: { enum: ['a', 'b', 'c'] }, sure: { type: 'boolean' } }, required: ['choice', 'sure'] } };
const ajv = new Ajv2020({ strict: false, validateFormats: false });
// Current Anthropic APIs (and so the SDK's types) have no temperature; the server still takes one, and the tests
// need greedy decoding to compare two runs.
const greedy: object = { temperature: 0 };
const sampled = (seed: number): object => ({ temperature: 1, top_k: 40, seed }); // seed: the server's extension

before(async () => {
  const model = join(mkdtempSync(join(tmpdir(), 'devstral-messages-')), 'tiny.gguf');
  await writeTinyGguf(model);
  server = await startServe(['--model', model, '--threads', '1', '--ctx', '2048', '--api-key', KEY, '--served-model-name', MODEL]);
  client = new Anthropic({ baseURL: server.origin, apiKey: KEY, maxRetries: 0 });
});

after(() => server?.stop());

const user = (text: string) => ({ role: 'user' as const, content: text });

/** The raw SSE of a request: each event's `event:` name and parsed data. */
async function rawEvents(body: object): Promise<{ event: string; data: { type: string } & Record<string, unknown> }[]> {
  const res = await fetch(`${server.origin}/v1/messages?beta=true`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  return (await res.text())
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? '';
      return { event, data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) };
    });
}

describe('POST /v1/messages (official Anthropic SDK)', () => {
  it('HEAD / answers 200 (Claude Code sends it first)', async () => {
    const res = await fetch(`${server.origin}/`, { method: 'HEAD' });
    assert.equal(res.status, 200);
  });

  it('text: one text block, stop_reason max_tokens, usage', async () => {
    const m = await client.messages.create({ model: MODEL, max_tokens: 8, messages: [user('hello')] });
    assert.equal(m.type, 'message');
    assert.equal(m.role, 'assistant');
    assert.equal(m.model, MODEL);
    assert.match(m.id, /^msg_/);
    assert.equal(m.content[0]!.type, 'text');
    assert.equal(m.stop_reason, 'max_tokens');
    assert.equal(m.usage.output_tokens, 8);
    assert.ok(m.usage.input_tokens + (m.usage.cache_read_input_tokens ?? 0) > 0);
  });

  it("streaming: Anthropic's event sequence and names; the final message equals the non-streamed one", async () => {
    const params = { model: MODEL, max_tokens: 12, ...greedy, messages: [user('count to ten')] };
    const events = await rawEvents({ ...params, stream: true });
    for (const e of events) assert.equal(e.event, e.data.type, 'every event: line names its data');
    const types = events.map((e) => e.data.type).filter((t) => t !== 'ping');
    assert.equal(types[0], 'message_start');
    assert.equal(types[1], 'content_block_start');
    assert.ok(types.slice(2, -3).every((t) => t === 'content_block_delta'));
    assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    const streamed = await client.messages.stream(params).finalMessage();
    const once = await client.messages.create(params);
    assert.deepEqual(streamed.content, once.content);
    assert.equal(streamed.stop_reason, 'max_tokens');
    assert.equal(streamed.usage.output_tokens, 12);
  });

  it('tool_choice any: tool_use input parses and matches the schema (optional properties may be absent), stop_reason tool_use', async () => {
    const validate = ajv.compile(EDIT.input_schema);
    for (const seed of [1, 2, 3]) {
      const m = await client.messages.create({ model: MODEL, max_tokens: 300, ...sampled(seed), messages: [user('edit it')], tools: [EDIT, PICK], tool_choice: { type: 'any', disable_parallel_tool_use: true } });
      assert.equal(m.stop_reason, 'tool_use', JSON.stringify(m.content));
      const uses = m.content.filter((b) => b.type === 'tool_use');
      assert.equal(uses.length, 1);
      const use = uses[0] as Anthropic.ToolUseBlock;
      assert.match(use.id, /^toolu_/);
      if (use.name === 'edit') assert.ok(validate(use.input), `${JSON.stringify(use.input)}: ${ajv.errorsText(validate.errors)}`);
      else assert.ok(['a', 'b', 'c'].includes((use.input as { choice: string }).choice));
    }
  });

  it('tool_choice tool, streamed: input_json_delta pieces concatenate to the final input', async () => {
    const events = await rawEvents({ model: MODEL, max_tokens: 200, ...greedy, stream: true, messages: [user('pick one')], tools: [EDIT, PICK], tool_choice: { type: 'tool', name: 'pick', disable_parallel_tool_use: true } });
    const start = events.find((e) => e.data.type === 'content_block_start' && (e.data.content_block as { type: string }).type === 'tool_use')!;
    const block = start.data.content_block as { id: string; name: string; input: object };
    assert.equal(block.name, 'pick');
    assert.deepEqual(block.input, {});
    const json = events.filter((e) => e.data.type === 'content_block_delta' && e.data.index === start.data.index).map((e) => (e.data.delta as { partial_json: string }).partial_json).join('');
    const input = JSON.parse(json) as { choice: string; sure: boolean };
    assert.ok(['a', 'b', 'c'].includes(input.choice) && typeof input.sure === 'boolean');
    const delta = events.find((e) => e.data.type === 'message_delta')!.data.delta as { stop_reason: string };
    assert.equal(delta.stop_reason, 'tool_use');
    const final = await client.messages.create({ model: MODEL, max_tokens: 200, ...greedy, messages: [user('pick one')], tools: [EDIT, PICK], tool_choice: { type: 'tool', name: 'pick', disable_parallel_tool_use: true } });
    assert.deepEqual((final.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock).input, input, 'streamed and non-streamed agree');
  });

  it('a tool call cut by max_tokens: stop_reason max_tokens, the tool_use kept', async () => {
    const m = await client.messages.create({ model: MODEL, max_tokens: 12, ...greedy, messages: [user('edit')], tools: [EDIT], tool_choice: { type: 'tool', name: 'edit' } });
    assert.equal(m.stop_reason, 'max_tokens');
    assert.equal(m.content.filter((b) => b.type === 'tool_use').length, 1);
  });

  it("a conversation as Claude Code sends it: system blocks, a system message after the user turn, thinking, tool_use and tool_result (string, blocks, is_error); the results reach the prompt", async () => {
    const conversation = (result: string) => ({
      model: MODEL,
      system: [{ type: 'text' as const, text: 'You are a coding agent.', cache_control: { type: 'ephemeral' as const } }, { type: 'text' as const, text: 'Be brief.' }],
      messages: [
        user('list files'),
        { role: 'system', content: 'Available agent types: none.' },
        {
          role: 'assistant' as const,
          content: [
            { type: 'thinking', thinking: 'I should run ls.', signature: 'sig' },
            { type: 'text', text: 'Running ls.' },
            { type: 'tool_use', id: 'toolu_01ABCDEFGHIJKLMNOPQRSTUV', name: 'edit', input: { path: 'a', mode: 'append' } },
            { type: 'tool_use', id: 'toolu_02ABCDEFGHIJKLMNOPQRSTUV', name: 'pick', input: { choice: 'a', sure: true } },
          ],
        },
        {
          role: 'user' as const,
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01ABCDEFGHIJKLMNOPQRSTUV', content: result, cache_control: { type: 'ephemeral' } },
            { type: 'tool_result', tool_use_id: 'toolu_02ABCDEFGHIJKLMNOPQRSTUV', content: [{ type: 'text', text: 'denied' }], is_error: true },
            { type: 'text', text: 'and now?' },
          ],
        },
      ],
      tools: [EDIT, PICK],
    }) as Anthropic.MessageCountTokensParams;
    const without = await client.messages.countTokens(conversation(''));
    const withResult = await client.messages.countTokens(conversation('file-one file-two file-three'));
    assert.ok(withResult.input_tokens > without.input_tokens + 10, `${withResult.input_tokens} vs ${without.input_tokens}: the tool result is in the prompt`);
    const m = await client.messages.create({ ...(conversation('a.ts b.ts') as Anthropic.MessageCreateParamsNonStreaming), max_tokens: 4 });
    assert.ok(['max_tokens', 'end_turn', 'tool_use'].includes(m.stop_reason!));
  });

  it('count_tokens counts tools and system, and agrees with the usage of the same request', async () => {
    const base = { model: MODEL, messages: [user('a question about code')] };
    const bare = await client.messages.countTokens(base);
    const withSystem = await client.messages.countTokens({ ...base, system: 'You are a careful coding agent.' });
    const withTools = await client.messages.countTokens({ ...base, system: 'You are a careful coding agent.', tools: [EDIT, PICK] });
    assert.ok(withSystem.input_tokens > bare.input_tokens);
    assert.ok(withTools.input_tokens > withSystem.input_tokens + 50);
    const m = await client.messages.create({ ...base, system: 'You are a careful coding agent.', tools: [EDIT, PICK], max_tokens: 2 });
    assert.equal(m.usage.input_tokens + (m.usage.cache_read_input_tokens ?? 0), withTools.input_tokens);
  });

  it('stop_sequences: the text ends before the sequence, stop_reason stop_sequence', async () => {
    const params = { model: MODEL, max_tokens: 30, ...greedy, messages: [user('say something long')] };
    const full = ((await client.messages.create(params)).content[0] as Anthropic.TextBlock).text;
    const stopAt = full.slice(10, 12);
    const cut = await client.messages.create({ ...params, stop_sequences: [stopAt] });
    assert.equal(cut.stop_reason, 'stop_sequence');
    assert.equal(cut.stop_sequence, stopAt);
    assert.ok(full.startsWith((cut.content[0] as Anthropic.TextBlock).text));
  });

  it('errors come in Anthropic\'s shape and status; Bearer works as well as x-api-key', async () => {
    await assert.rejects(client.messages.create({ model: MODEL, messages: [user('x')] } as never), (e: unknown) => {
      assert.ok(e instanceof Anthropic.BadRequestError);
      assert.deepEqual(Object.keys(e.error as object).sort(), ['error', 'type']);
      assert.equal((e.error as { type: string }).type, 'error');
      assert.equal((e.error as { error: { type: string } }).error.type, 'invalid_request_error');
      assert.match((e.error as { error: { message: string } }).error.message, /max_tokens/);
      return true;
    });
    const wrong = new Anthropic({ baseURL: server.origin, apiKey: 'nope', maxRetries: 0 });
    await assert.rejects(wrong.messages.create({ model: MODEL, max_tokens: 1, messages: [user('x')] }), (e: unknown) => e instanceof Anthropic.AuthenticationError);
    const bearer = new Anthropic({ baseURL: server.origin, apiKey: null, authToken: KEY, maxRetries: 0 });
    assert.equal((await bearer.messages.create({ model: MODEL, max_tokens: 1, messages: [user('x')] })).type, 'message');
    await assert.rejects(client.messages.create({ model: MODEL, max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AA==' } }] }] }), (e: unknown) => e instanceof Anthropic.BadRequestError && /text only/.test(String(e)));
  });

  it('a prompt that does not fit is a 400 naming both sizes, not a 500', async () => {
    await assert.rejects(client.messages.create({ model: MODEL, max_tokens: 10, messages: [user('word '.repeat(2000))] }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.BadRequestError, String(e));
      assert.match(String(e), /maximum context length is 2048 tokens/);
      return true;
    });
  });
});
