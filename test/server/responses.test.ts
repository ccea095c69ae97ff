/**
 * OpenAI Responses on `devstral serve`, driven by the official openai client against the built CLI on the suite's
 * tiny GGUF.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startServe, type ServeProcess } from '../support/startServe.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const KEY = 'test-key-responses';
const MODEL = 'devstral-test';
let server: ServeProcess;
let client: OpenAI;

const PICK = { type: 'function' as const, name: 'pick', description: 'Pick one', strict: false, parameters: { type: 'object', properties: { choice: { enum: ['a', 'b', 'c'] }, sure: { type: 'boolean' } }, required: ['choice', 'sure'], additionalProperties: false } };
const EXEC = { type: 'function' as const, name: 'exec_command', strict: false, parameters: { type: 'object', properties: { cmd: { type: 'string', maxLength: 10 } }, required: ['cmd'], additionalProperties: false } };

before(async () => {
  const model = join(mkdtempSync(join(tmpdir(), 'devstral-responses-')), 'tiny.gguf');
  await writeTinyGguf(model);
  server = await startServe(['--model', model, '--threads', '1', '--ctx', '2048', '--api-key', KEY, '--served-model-name', MODEL]);
  client = new OpenAI({ baseURL: `${server.origin}/v1`, apiKey: KEY, maxRetries: 0 });
});

after(() => server?.stop());

describe('POST /v1/responses (official openai client)', () => {
  it('a string input: a message with output_text; max_output_tokens -> incomplete', async () => {
    const r = await client.responses.create({ model: MODEL, input: 'hello', max_output_tokens: 8 });
    assert.equal(r.object, 'response');
    assert.match(r.id, /^resp_/);
    assert.equal(r.status, 'incomplete');
    assert.equal(r.incomplete_details?.reason, 'max_output_tokens');
    assert.equal(r.output[0]!.type, 'message');
    assert.equal(typeof r.output_text, 'string');
    assert.equal(r.usage!.output_tokens, 8);
    assert.equal(r.usage!.total_tokens, r.usage!.input_tokens + 8);
  });

  it('streaming: response.created first, sequence numbers in order, deltas that add up, then the final response', async () => {
    const params = { model: MODEL, input: 'count to ten', max_output_tokens: 12, temperature: 0 };
    const stream = await client.responses.create({ ...params, stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    assert.equal(events[0]!.type, 'response.created');
    assert.equal(events[1]!.type, 'response.in_progress');
    events.forEach((e, i) => assert.equal(e.sequence_number, i));
    const last = events.at(-1)!;
    assert.equal(last.type, 'response.incomplete');
    const final = (last as OpenAI.Responses.ResponseIncompleteEvent).response;
    const deltas = events.filter((e): e is OpenAI.Responses.ResponseTextDeltaEvent => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    const done = events.find((e): e is OpenAI.Responses.ResponseTextDoneEvent => e.type === 'response.output_text.done')!;
    assert.equal(done.text, deltas);
    assert.equal(final.usage!.output_tokens, 12);
    for (const e of events) if ('output_index' in e) assert.equal(e.output_index, 0);
    const once = await client.responses.create(params);
    assert.equal(once.output_text, deltas, 'streamed and non-streamed agree');
  });

  it('function tools: a forced call is a function_call item with call_id and JSON arguments matching the schema', async () => {
    const r = await client.responses.create({ model: MODEL, input: 'pick one', tools: [PICK, EXEC], tool_choice: { type: 'function', name: 'pick' }, parallel_tool_calls: false, max_output_tokens: 200 });
    assert.equal(r.status, 'completed');
    const call = r.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!;
    assert.equal(call.name, 'pick');
    assert.match(call.call_id, /^call_/);
    const args = JSON.parse(call.arguments) as { choice: string; sure: boolean };
    assert.ok(['a', 'b', 'c'].includes(args.choice) && typeof args.sure === 'boolean');
    // A function offered inside a namespace (as Codex offers its sub-agent tools) is called with it.
    const namespaced = await client.responses.create({ model: MODEL, input: 'pick', tools: [EXEC, { type: 'namespace', name: 'agents', description: 'sub-agents', tools: [PICK] } as never], tool_choice: { type: 'function', name: 'pick' }, parallel_tool_calls: false, max_output_tokens: 200 });
    const inner = namespaced.output.find((o) => o.type === 'function_call') as unknown as { name: string; namespace?: string };
    assert.deepEqual([inner.name, inner.namespace], ['pick', 'agents']);
  });

  it('streamed function-call arguments add up to the final ones', async () => {
    const stream = await client.responses.create({ model: MODEL, input: 'pick', tools: [PICK], tool_choice: 'required', parallel_tool_calls: false, max_output_tokens: 200, temperature: 0, stream: true });
    let args = '';
    let final: OpenAI.Responses.Response | undefined;
    for await (const e of stream) {
      if (e.type === 'response.function_call_arguments.delta') args += e.delta;
      if (e.type === 'response.completed') final = e.response;
    }
    const call = final!.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!;
    assert.equal(call.arguments, args);
    JSON.parse(args);
  });

  it("a multi-turn as Codex sends it: developer items with ids, reasoning, function_call and function_call_output, a namespace and a hosted tool; the output reaches the prompt", async () => {
    const input = (output: string): OpenAI.Responses.ResponseInput => [
      { type: 'message', id: 'msg_1', role: 'developer', content: [{ type: 'input_text', text: 'You are a coding agent.' }] } as never,
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'list files' }] },
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque' } as never,
      { type: 'function_call', id: 'fc_1', status: 'completed', name: 'exec_command', arguments: '{"cmd":"ls"}', call_id: 'call_a7b7c5e4895b9b95d88a4af9' },
      { type: 'function_call_output', id: 'fco_1', call_id: 'call_a7b7c5e4895b9b95d88a4af9', output } as never,
    ];
    const tools = [EXEC, { type: 'namespace', name: 'agents', description: 'sub-agents', tools: [{ ...PICK, name: 'spawn_agent' }] } as never, { type: 'web_search', external_web_access: false } as never];
    const request = (output: string) => ({ model: MODEL, input: input(output), tools, tool_choice: 'auto' as const, parallel_tool_calls: true, reasoning: { summary: 'auto' as const }, store: false, include: ['reasoning.encrypted_content' as const], prompt_cache_key: 'k', max_output_tokens: 2 });
    const short = await client.responses.create(request(''));
    const long = await client.responses.create(request('a.ts b.ts c.ts d.ts e.ts f.ts'));
    assert.ok(long.usage!.input_tokens > short.usage!.input_tokens + 10, `${long.usage!.input_tokens} vs ${short.usage!.input_tokens}`);
  });

  it('store and previous_response_id continue a conversation; GET and DELETE a stored response; unknown ids are 400/404', async () => {
    const first = await client.responses.create({ model: MODEL, instructions: 'Be brief.', input: 'remember the word kumquat', max_output_tokens: 4 });
    const second = await client.responses.create({ model: MODEL, previous_response_id: first.id, input: 'what was the word?', max_output_tokens: 4 });
    assert.equal(second.previous_response_id, first.id);
    const alone = await client.responses.create({ model: MODEL, input: 'what was the word?', max_output_tokens: 4 });
    assert.ok(second.usage!.input_tokens > alone.usage!.input_tokens + 5, 'the earlier turn is in the prompt');
    assert.equal((await client.responses.retrieve(first.id)).id, first.id);
    await assert.rejects(client.responses.create({ model: MODEL, previous_response_id: 'resp_nope', input: 'x' }), (e: unknown) => e instanceof OpenAI.BadRequestError && /resp_nope/.test(String(e)));
    const unstored = await client.responses.create({ model: MODEL, input: 'x', store: false, max_output_tokens: 1 });
    await assert.rejects(client.responses.create({ model: MODEL, previous_response_id: unstored.id, input: 'y' }), OpenAI.BadRequestError);
    await client.responses.delete(first.id);
    await assert.rejects(client.responses.retrieve(first.id), OpenAI.NotFoundError);
  });

  it('errors: a forced hosted tool is a 400 naming it; images are refused; a prompt that does not fit is a 400', async () => {
    await assert.rejects(client.responses.create({ model: MODEL, input: 'x', tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search' } as never }), (e: unknown) => e instanceof OpenAI.BadRequestError && /web_search/.test(String(e)));
    await assert.rejects(client.responses.create({ model: MODEL, input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png;base64,AA==', detail: 'auto' }] }] }), (e: unknown) => e instanceof OpenAI.BadRequestError && /text only/.test(String(e)));
    await assert.rejects(client.responses.create({ model: MODEL, input: 'word '.repeat(2000) }), (e: unknown) => e instanceof OpenAI.BadRequestError && /maximum context length is 2048/.test(String(e)));
    const noKey = new OpenAI({ baseURL: `${server.origin}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(noKey.responses.create({ model: MODEL, input: 'x' }), OpenAI.AuthenticationError);
  });
});
