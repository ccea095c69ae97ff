import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contextLengthExceeded, invalidRequest, modelNotFound, notFound, ApiError, payloadTooLarge,
  serverError, serviceUnavailable, toOpenAiErrorBody, unauthorized,
} from '../../src/server/apiError.js';
import { parseChatRequest, type ChatRequest, type ParseContext } from '../../src/server/protocols/chatCompletions/parseChatRequest.js';
import { parseCompletionRequest, type CompletionRequest } from '../../src/server/protocols/chatCompletions/parseCompletionRequest.js';
import { isMistralToolCallId, mistralToolCallId, newToolCallId } from '../../src/server/engine/toolCallIds.js';

const ctx: ParseContext = { servedModel: 'devstral-small-2507' };
const user = { role: 'user', content: 'hi' };
const chat = (extra: Record<string, unknown> = {}) => ({ model: 'devstral-small-2507', messages: [user], ...extra });
const readFile = { type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } };
const readFileTool = { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } };
const call = (id: string, args = '{"path":"a.ts"}') => ({ id, type: 'function', function: { name: 'read_file', arguments: args } });

const defaults: ChatRequest = {
  model: 'devstral-small-2507', messages: [{ role: 'user', content: 'hi' }], tools: [], toolChoice: 'none',
  parallelToolCalls: true, responseFormat: { type: 'text' }, stop: [], stream: false, includeUsage: false,
};

/** Expect `fn` to throw an ApiError with this status and param, and a message matching `message`. */
function assertApiError(fn: () => unknown, status: number, param: string | null, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
    assert.equal(e.status, status, e.message);
    assert.equal(e.param, param, e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe('parseChatRequest: valid bodies', () => {
  const cases: [string, Record<string, unknown>, Partial<ChatRequest>][] = [
    ['minimal body gets the defaults', chat(), {}],
    ['model matches case-insensitively and normalizes', chat({ model: 'Devstral-Small-2507' }), {}],
    ['null optional keys count as absent', chat({ tools: null, tool_choice: null, temperature: null, stop: null, stream_options: null, response_format: null, n: null }), {}],
    ['unknown top-level keys are ignored; top_k (vLLM and llama-server take it) is kept', chat({ store: false, metadata: { a: 1 }, top_k: 20, user: 'u1', n: 1, logprobs: false, top_logprobs: 0 }), { topK: 20 }],
    ['developer becomes system; text parts join with newlines; name kept', chat({
      messages: [
        { role: 'developer', content: 'be brief' },
        { role: 'system', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: [], name: 'ann' },
      ],
    }), { messages: [{ role: 'system', content: 'be brief' }, { role: 'system', content: 'a\nb' }, { role: 'user', content: '', name: 'ann' }] }],
    ['assistant tool calls parse their arguments; tool results keep the client id', chat({
      messages: [
        user,
        { role: 'assistant', content: null, tool_calls: [call('call_abc123XYZ'), call('b', ''), { id: 'c', function: { name: 'read_file' } }] },
        { role: 'tool', tool_call_id: 'call_abc123XYZ', content: [{ type: 'text', text: 'file body' }] },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }], tool_calls: [] },
        { role: 'assistant' },
      ],
    }), {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_abc123XYZ', name: 'read_file', arguments: { path: 'a.ts' } }, { id: 'b', name: 'read_file', arguments: {} }, { id: 'c', name: 'read_file', arguments: {} }] },
        { role: 'tool', content: 'file body', toolCallId: 'call_abc123XYZ' },
        { role: 'assistant', content: 'no' },
        { role: 'assistant', content: '' },
      ],
    }],
    ['tools default to tool_choice auto; parameters default to an empty object schema', chat({ tools: [readFile, { type: 'function', function: { name: 'ls-2_x' } }] }),
      { tools: [readFileTool, { name: 'ls-2_x', parameters: { type: 'object', properties: {} } }], toolChoice: 'auto' }],
    ['empty tools array counts as no tools', chat({ tools: [] }), {}],
    ['tool_choice none without tools', chat({ tool_choice: 'none' }), {}],
    ['tool_choice required', chat({ tools: [readFile], tool_choice: 'required', parallel_tool_calls: false }), { tools: [readFileTool], toolChoice: 'required', parallelToolCalls: false }],
    ['tool_choice naming a tool', chat({ tools: [readFile], tool_choice: { type: 'function', function: { name: 'read_file' } } }), { tools: [readFileTool], toolChoice: { name: 'read_file' } }],
    ['response_format json_object', chat({ response_format: { type: 'json_object' } }), { responseFormat: { type: 'json_object' } }],
    ['response_format json_schema', chat({ response_format: { type: 'json_schema', json_schema: { name: 'out', strict: true, schema: { type: 'object' } } } }),
      { responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' } } }],
    ['json_object with tools on auto', chat({ tools: [readFile], response_format: { type: 'json_object' } }), { tools: [readFileTool], toolChoice: 'auto', responseFormat: { type: 'json_object' } }],
    ['sampling options at their bounds', chat({ temperature: 0, top_p: 1, seed: -7, frequency_penalty: -2, presence_penalty: 2 }),
      { temperature: 0, topP: 1, seed: -7, frequencyPenalty: -2, presencePenalty: 2 }],
    ['a stop string becomes a list', chat({ stop: '\n\n' }), { stop: ['\n\n'] }],
    ['four stop strings', chat({ stop: ['a', 'b', 'c', 'd'] }), { stop: ['a', 'b', 'c', 'd'] }],
    ['max_tokens', chat({ max_tokens: 100 }), { maxTokens: 100 }],
    ['max_completion_tokens wins over max_tokens', chat({ max_tokens: 100, max_completion_tokens: 50 }), { maxTokens: 50 }],
    ['max tokens above the context are kept (the engine caps them to what fits)', chat({ max_completion_tokens: 1_000_000 }), { maxTokens: 1_000_000 }],
    ['stream with usage', chat({ stream: true, stream_options: { include_usage: true } }), { stream: true, includeUsage: true }],
    ['stream without stream_options', chat({ stream: true }), { stream: true, includeUsage: false }],
  ];
  for (const [name, body, expected] of cases) {
    it(name, () => assert.deepEqual(parseChatRequest(body, ctx), { ...defaults, ...expected }));
  }

  it('honours a custom maxStop', () => {
    assert.deepEqual(parseChatRequest(chat({ stop: ['a', 'b'] }), { ...ctx, maxStop: 2 }).stop, ['a', 'b']);
    assertApiError(() => parseChatRequest(chat({ stop: ['a', 'b', 'c'] }), { ...ctx, maxStop: 2 }), 400, 'stop', /at most 2/);
  });
});

describe('parseChatRequest: invalid bodies', () => {
  const withTools = (extra: Record<string, unknown>) => chat({ tools: [readFile], ...extra });
  const msg = (m: unknown) => chat({ messages: [user, m] });
  const cases: [string, unknown, number, string | null, RegExp][] = [
    ['array body', [], 400, null, /must be a JSON object/],
    ['string body', 'hi', 400, null, /must be a JSON object/],
    ['null body', null, 400, null, /must be a JSON object/],
    ['missing model', { messages: [user] }, 400, 'model', /must provide a model/],
    ['model not a string', chat({ model: 7 }), 400, 'model', /Invalid type for 'model': expected a string, but got a number/],
    ['unknown model', chat({ model: 'gpt-4o' }), 404, null, /`gpt-4o` does not exist.*devstral-small-2507/],
    ['missing messages', { model: 'devstral-small-2507' }, 400, 'messages', /Missing required parameter: 'messages'/],
    ['messages not an array', chat({ messages: 'hi' }), 400, 'messages', /expected an array, but got a string/],
    ['empty messages', chat({ messages: [] }), 400, 'messages', /at least one message/],
    ['message not an object', msg('hi'), 400, 'messages[1]', /expected an object/],
    ['missing role', msg({ content: 'x' }), 400, 'messages[1].role', /Missing required parameter/],
    ['unknown role', msg({ role: 'bot', content: 'x' }), 400, 'messages[1].role', /'bot'.*Supported values/],
    ['legacy function role', msg({ role: 'function', name: 'f', content: 'x' }), 400, 'messages[1].role', /use|send 'tool' messages/],
    ['user without content', msg({ role: 'user' }), 400, 'messages[1].content', /Missing required parameter/],
    ['content of the wrong type', msg({ role: 'user', content: 5 }), 400, 'messages[1].content', /expected a string or an array of content parts/],
    ['image part', msg({ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'data:' } }] }), 400, 'messages[1].content[1]', /reads text only/],
    ['unknown part type', msg({ role: 'user', content: [{ type: 'blob' }] }), 400, 'messages[1].content[0].type', /expected 'text', but got "blob"/],
    ['text part without text', msg({ role: 'user', content: [{ type: 'text' }] }), 400, 'messages[1].content[0].text', /expected a string, but got nothing/],
    ['name of the wrong type', msg({ role: 'user', content: 'x', name: 1 }), 400, 'messages[1].name', /expected a string/],
    ['tool_calls not an array', msg({ role: 'assistant', tool_calls: {} }), 400, 'messages[1].tool_calls', /expected an array/],
    ['tool call without id', msg({ role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }), 400, 'messages[1].tool_calls[0].id', /Missing required parameter/],
    ['tool call of another type', msg({ role: 'assistant', tool_calls: [{ id: 'a', type: 'custom', custom: {} }] }), 400, 'messages[1].tool_calls[0].type', /expected 'function'/],
    ['tool call without function', msg({ role: 'assistant', tool_calls: [{ id: 'a', type: 'function' }] }), 400, 'messages[1].tool_calls[0].function', /Missing required parameter/],
    ['tool call without a name', msg({ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { arguments: '{}' } }] }), 400, 'messages[1].tool_calls[0].function.name', /Missing/],
    ['invalid JSON arguments', msg({ role: 'assistant', tool_calls: [call('a'), call('b', '{"path": ')] }), 400, 'messages[1].tool_calls[1].function.arguments', /Invalid JSON in 'messages\[1\]\.tool_calls\[1\]\.function\.arguments'/],
    ['arguments as an object', msg({ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }), 400, 'messages[1].tool_calls[0].function.arguments', /JSON-encoded string/],
    ['tool message without tool_call_id', msg({ role: 'tool', content: 'x' }), 400, 'messages[1].tool_call_id', /Missing required parameter/],
    ['tool_call_id of the wrong type', msg({ role: 'tool', tool_call_id: 3, content: 'x' }), 400, 'messages[1].tool_call_id', /expected a string/],
    ['tool message without content', msg({ role: 'tool', tool_call_id: 'a' }), 400, 'messages[1].content', /Missing required parameter/],
    ['legacy functions', chat({ functions: [{ name: 'f' }] }), 400, 'functions', /use 'tools'/],
    ['tools not an array', chat({ tools: {} }), 400, 'tools', /expected an array/],
    ['tool of another type', chat({ tools: [{ type: 'web_search' }] }), 400, 'tools[0].type', /only 'function' tools/],
    ['tool without function', chat({ tools: [{ type: 'function' }] }), 400, 'tools[0].function', /Missing required parameter/],
    ['tool without a name', chat({ tools: [{ type: 'function', function: {} }] }), 400, 'tools[0].function.name', /Missing required parameter/],
    ['tool name with a space', chat({ tools: [{ type: 'function', function: { name: 'read file' } }] }), 400, 'tools[0].function.name', /1-64 characters/],
    ['tool name too long', chat({ tools: [{ type: 'function', function: { name: 'x'.repeat(65) } }] }), 400, 'tools[0].function.name', /1-64 characters/],
    ['duplicate tool names', chat({ tools: [readFile, readFile] }), 400, 'tools[1].function.name', /Duplicate tool name 'read_file'/],
    ['parameters not an object', chat({ tools: [{ type: 'function', function: { name: 'f', parameters: [] } }] }), 400, 'tools[0].function.parameters', /JSON Schema object/],
    ['description of the wrong type', chat({ tools: [{ type: 'function', function: { name: 'f', description: 3 } }] }), 400, 'tools[0].function.description', /expected a string/],
    ['unknown tool_choice', withTools({ tool_choice: 'any' }), 400, 'tool_choice', /'any'.*Supported values/],
    ['tool_choice auto without tools', chat({ tool_choice: 'auto' }), 400, 'tool_choice', /only allowed when 'tools' are specified/],
    ['tool_choice required without tools', chat({ tool_choice: 'required' }), 400, 'tool_choice', /only allowed when 'tools' are specified/],
    ['named tool_choice without tools', chat({ tool_choice: { type: 'function', function: { name: 'read_file' } } }), 400, 'tool_choice', /only allowed when 'tools'/],
    ['tool_choice naming a missing tool', withTools({ tool_choice: { type: 'function', function: { name: 'write_file' } } }), 400, 'tool_choice.function.name', /no tool named 'write_file'/],
    ['tool_choice of another type', withTools({ tool_choice: { type: 'allowed_tools' } }), 400, 'tool_choice.type', /expected 'function'/],
    ['tool_choice a number', withTools({ tool_choice: 1 }), 400, 'tool_choice', /a string or an object/],
    ['parallel_tool_calls not boolean', withTools({ parallel_tool_calls: 'yes' }), 400, 'parallel_tool_calls', /expected a boolean/],
    ['response_format a string', chat({ response_format: 'json' }), 400, 'response_format', /expected an object/],
    ['unknown response_format type', chat({ response_format: { type: 'xml' } }), 400, 'response_format.type', /"xml"/],
    ['json_schema without json_schema', chat({ response_format: { type: 'json_schema' } }), 400, 'response_format.json_schema', /Missing/],
    ['json_schema without a name', chat({ response_format: { type: 'json_schema', json_schema: { schema: {} } } }), 400, 'response_format.json_schema.name', /Missing/],
    ['json_schema without a schema', chat({ response_format: { type: 'json_schema', json_schema: { name: 'x' } } }), 400, 'response_format.json_schema.schema', /Missing/],
    ['json_schema schema not an object', chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: 'object' } } }), 400, 'response_format.json_schema.schema', /JSON Schema object/],
    ['json_object with tool_choice required', withTools({ tool_choice: 'required', response_format: { type: 'json_object' } }), 400, 'response_format', /either JSON text or tool calls/],
    ['json_schema with a named tool', withTools({ tool_choice: { type: 'function', function: { name: 'read_file' } }, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }), 400, 'response_format', /forced tool call/],
    ['temperature too high', chat({ temperature: 2.5 }), 400, 'temperature', />= 0 and <= 2, but got 2.5/],
    ['temperature a string', chat({ temperature: '0.7' }), 400, 'temperature', /expected a number, but got a string/],
    ['top_p zero', chat({ top_p: 0 }), 400, 'top_p', /> 0 and <= 1/],
    ['top_p above one', chat({ top_p: 1.1 }), 400, 'top_p', /> 0 and <= 1/],
    ['seed not an integer', chat({ seed: 1.5 }), 400, 'seed', /expected an integer/],
    ['frequency_penalty below -2', chat({ frequency_penalty: -3 }), 400, 'frequency_penalty', />= -2 and <= 2/],
    ['presence_penalty above 2', chat({ presence_penalty: 2.1 }), 400, 'presence_penalty', />= -2 and <= 2/],
    ['five stop strings', chat({ stop: ['a', 'b', 'c', 'd', 'e'] }), 400, 'stop', /at most 4 stop sequences/],
    ['empty stop string', chat({ stop: ['a', ''] }), 400, 'stop[1]', /must not be empty/],
    ['empty stop', chat({ stop: '' }), 400, 'stop', /must not be empty/],
    ['stop of the wrong type', chat({ stop: 5 }), 400, 'stop', /a string or an array of strings/],
    ['stop entry of the wrong type', chat({ stop: ['a', 1] }), 400, 'stop[1]', /expected a string/],
    ['max_tokens zero', chat({ max_tokens: 0 }), 400, 'max_tokens', /integer >= 1, but got 0/],
    ['max_tokens fractional', chat({ max_tokens: 1.5 }), 400, 'max_tokens', /expected an integer/],
    ['max_completion_tokens negative', chat({ max_completion_tokens: -1 }), 400, 'max_completion_tokens', /integer >= 1/],
    ['n greater than one', chat({ n: 3 }), 400, 'n', /'n' = 3 is not supported: this server returns exactly one choice/],
    ['n zero', chat({ n: 0 }), 400, 'n', /expected 1, but got 0/],
    ['stream not boolean', chat({ stream: 'true' }), 400, 'stream', /expected a boolean, but got a string/],
    ['stream_options without stream', chat({ stream_options: { include_usage: true } }), 400, 'stream_options', /only allowed when 'stream' is enabled/],
    ['stream_options not an object', chat({ stream: true, stream_options: true }), 400, 'stream_options', /expected an object/],
    ['include_usage not boolean', chat({ stream: true, stream_options: { include_usage: 1 } }), 400, 'stream_options.include_usage', /expected a boolean/],
    ['user of the wrong type', chat({ user: 42 }), 400, 'user', /expected a string/],
    ['logprobs', chat({ logprobs: true }), 400, 'logprobs', /not supported/],
    ['top_logprobs', chat({ logprobs: false, top_logprobs: 5 }), 400, 'top_logprobs', /not supported/],
  ];
  for (const [name, body, status, param, message] of cases) {
    it(name, () => assertApiError(() => parseChatRequest(body, ctx), status, param, message));
  }

  it('unknown model is OpenAI-shaped', () => {
    assert.throws(() => parseChatRequest(chat({ model: 'gpt-4o' }), ctx), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.deepEqual({ type: e.type, code: e.code }, { type: 'invalid_request_error', code: 'model_not_found' });
      return true;
    });
  });
});

describe('parseCompletionRequest', () => {
  const base = { model: 'devstral-small-2507', prompt: 'def f(' };
  const defaultsC: CompletionRequest = { model: 'devstral-small-2507', prompt: 'def f(', stop: [], stream: false, includeUsage: false };
  const valid: [string, Record<string, unknown>, Partial<CompletionRequest>][] = [
    ['a string prompt', base, {}],
    ['an array of one string', { ...base, prompt: ['def f('] }, {}],
    ['neutral values of unsupported options', { ...base, n: 1, best_of: 1, echo: false, logprobs: 0, suffix: '', user: 'u', max_completion_tokens: 5 }, {}],
    ['logprobs false and null', { ...base, logprobs: false, suffix: null }, {}],
    ['sampling and streaming', { ...base, model: 'DEVSTRAL-small-2507', max_tokens: 64, temperature: 0.2, top_p: 0.9, seed: 1, stop: ['\n'], frequency_penalty: 0.5, presence_penalty: -0.5, stream: true, stream_options: { include_usage: true } },
      { maxTokens: 64, temperature: 0.2, topP: 0.9, seed: 1, stop: ['\n'], frequencyPenalty: 0.5, presencePenalty: -0.5, stream: true, includeUsage: true }],
  ];
  for (const [name, body, expected] of valid) {
    it(`accepts ${name}`, () => assert.deepEqual(parseCompletionRequest(body, ctx), { ...defaultsC, ...expected }));
  }

  const invalid: [string, unknown, number, string | null, RegExp][] = [
    ['a non-object body', [base], 400, null, /must be a JSON object/],
    ['an unknown model', { ...base, model: 'codestral' }, 404, null, /`codestral` does not exist/],
    ['a missing prompt', { model: base.model }, 400, 'prompt', /Missing required parameter: 'prompt'/],
    ['a numeric prompt', { ...base, prompt: 5 }, 400, 'prompt', /a string or an array of one string/],
    ['token ids', { ...base, prompt: [1, 2, 3] }, 400, 'prompt', /Token-id prompts are not supported/],
    ['batches of token ids', { ...base, prompt: [[1, 2]] }, 400, 'prompt', /Token-id prompts/],
    ['two prompts', { ...base, prompt: ['a', 'b'] }, 400, 'prompt', /expected one prompt, but got 2/],
    ['no prompts', { ...base, prompt: [] }, 400, 'prompt', /expected one prompt, but got 0/],
    ['a non-string prompt entry', { ...base, prompt: [{}] }, 400, 'prompt[0]', /expected a string/],
    ['n > 1', { ...base, n: 2 }, 400, 'n', /exactly one choice/],
    ['best_of > 1', { ...base, best_of: 3 }, 400, 'best_of', /'best_of' = 3 is not supported/],
    ['echo', { ...base, echo: true }, 400, 'echo', /not supported/],
    ['logprobs', { ...base, logprobs: 2 }, 400, 'logprobs', /not supported/],
    ['logprobs true', { ...base, logprobs: true }, 400, 'logprobs', /not supported/],
    ['suffix', { ...base, suffix: '}\n' }, 400, 'suffix', /fill-in-the-middle/],
    ['max_tokens zero', { ...base, max_tokens: 0 }, 400, 'max_tokens', /integer >= 1/],
    ['stream_options without stream', { ...base, stream_options: {} }, 400, 'stream_options', /only allowed when 'stream'/],
    ['temperature out of range', { ...base, temperature: -1 }, 400, 'temperature', />= 0 and <= 2/],
  ];
  for (const [name, body, status, param, message] of invalid) {
    it(`rejects ${name}`, () => assertApiError(() => parseCompletionRequest(body, ctx), status, param, message));
  }
});

describe('OpenAI errors', () => {
  const cases: [string, ApiError, number, ReturnType<typeof toOpenAiErrorBody>['error']][] = [
    ['invalidRequest', invalidRequest('bad', 'temperature'), 400, { message: 'bad', type: 'invalid_request_error', param: 'temperature', code: null }],
    ['notFound', notFound('no such model'), 404, { message: 'no such model', type: 'invalid_request_error', param: null, code: 'model_not_found' }],
    ['modelNotFound', modelNotFound('gpt', 'dev'), 404, { message: 'The model `gpt` does not exist. This server serves `dev`.', type: 'invalid_request_error', param: null, code: 'model_not_found' }],
    ['unauthorized', unauthorized(), 401, { message: unauthorized().message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' }],
    ['payloadTooLarge', payloadTooLarge('too big'), 413, { message: 'too big', type: 'invalid_request_error', param: null, code: 'request_too_large' }],
    ['contextLengthExceeded', contextLengthExceeded(40000, 32768), 400, {
      message: "This model's maximum context length is 32768 tokens. However, your messages resulted in 40000 tokens. Please reduce the length of the messages.",
      type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded',
    }],
    ['contextLengthExceeded for a prompt', contextLengthExceeded(9, 8, 'prompt'), 400, {
      message: "This model's maximum context length is 8 tokens. However, your prompt resulted in 9 tokens. Please reduce the length of the prompt.",
      type: 'invalid_request_error', param: 'prompt', code: 'context_length_exceeded',
    }],
    ['serverError', serverError('boom'), 500, { message: 'boom', type: 'server_error', param: null, code: null }],
    ['serviceUnavailable', serviceUnavailable('loading'), 503, { message: 'loading', type: 'server_error', param: null, code: 'service_unavailable' }],
  ];
  for (const [name, e, status, body] of cases) {
    it(name, () => {
      assert.ok(e instanceof Error);
      assert.equal(e.status, status);
      assert.deepEqual(toOpenAiErrorBody(e), { error: body });
    });
  }


});

describe('tool-call ids', () => {
  it('newToolCallId makes 9 alphanumerics from the random source', () => {
    let i = 0;
    const seq = [0, 0.5, 0.999999, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7];
    const id = newToolCallId(() => seq[i++]!);
    assert.equal(id, 'Af9GMSYlr');
    assert.ok(isMistralToolCallId(id));
    assert.equal(newToolCallId(() => 0), 'AAAAAAAAA');
  });

  it('newToolCallId clamps a misbehaving random source', () => {
    assert.equal(newToolCallId(() => 1), '999999999');
    assert.equal(newToolCallId(() => -1), 'AAAAAAAAA');
    assert.equal(newToolCallId(() => Number.NaN), 'AAAAAAAAA');
  });

  it('random ids are valid Mistral ids', () => {
    for (let k = 0; k < 200; k++) assert.ok(isMistralToolCallId(newToolCallId(Math.random)));
  });

  it('mistralToolCallId passes 9-alphanumeric ids through', () => {
    for (const id of ['abcDEF123', '000000000', 'ZZZZZZZZZ']) assert.equal(mistralToolCallId(id), id);
  });

  it('mistralToolCallId maps other ids deterministically to 9 alphanumerics', () => {
    const cases = ['call_abc123def456ghi789', 'abcDEF12', 'abcDEF1234', 'toolu_01', '', 'call-é-ü', 'abc_EF123'];
    const mapped = cases.map(mistralToolCallId);
    for (const [k, m] of mapped.entries()) {
      assert.ok(isMistralToolCallId(m), `${cases[k]} -> ${m}`);
      assert.equal(mistralToolCallId(cases[k]!), m, 'deterministic');
    }
    assert.equal(new Set(mapped).size, cases.length, 'distinct ids map to distinct ids');
  });
});
