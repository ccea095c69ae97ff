/**
 * Validates and normalizes a /v1/chat/completions body. Pure: throws an ApiError (status 400/404 and the
 * `param` at fault) on any problem. Unknown top-level keys are ignored (clients send extras); a known key
 * with the wrong type is a 400. `null` counts as absent for optional keys, as OpenAI accepts it.
 *
 * Leniencies (interop with agent clients): the model name matches case-insensitively and normalizes to the
 * served name; assistant content may be null or missing (-> ''); tool_call `arguments` of '' or missing -> {};
 * empty `tools` / `tool_calls` arrays count as absent; max tokens above what fits are capped by the engine.
 * Tool-call ids are kept as the client sent them (see toolCallIds.ts for the prompt form).
 */
import { invalidRequest } from '../../apiError.js';
import type { EngineMessage, EngineRequest, EngineTool, ResponseFormat, SamplingOptions, ToolCall, ToolChoice } from '../../engine/engineRequest.js';
import { compact, isBoolean, isInteger, isObject, isString, optional, parseModel, parseStop, range, requiredString, requireObject, tokenCount, wrongType, type Json } from '../parseFields.js';

export interface ParseContext {
  servedModel: string;
  /** Most stop sequences accepted; OpenAI's limit, 4, by default. */
  maxStop?: number;
}

/** What Chat Completions and legacy completions add to the engine's sampling options. */
export interface StreamOptions {
  model: string;
  stream: boolean;
  includeUsage: boolean;
}

export type ChatRequest = EngineRequest & StreamOptions;


const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MEDIA_PARTS = new Set(['image_url', 'input_image', 'image', 'input_audio', 'audio', 'file', 'input_file', 'video_url']);

/** Validates and normalizes a /v1/chat/completions body into the engine's request. */
export function parseChatRequest(body: unknown, ctx: ParseContext): ChatRequest {
  const b = requireObject(body);
  const model = parseModel(b, ctx.servedModel);
  for (const legacy of ['functions', 'function_call']) {
    if (b[legacy] != null) throw invalidRequest(`'${legacy}' is deprecated and not supported; use 'tools' and 'tool_choice'.`, legacy);
  }
  const messages = parseMessages(b.messages);
  const tools = parseTools(b.tools);
  const toolChoice = parseToolChoice(b.tool_choice, tools);
  const parallelToolCalls = optional(b, 'parallel_tool_calls', 'a boolean', isBoolean) ?? true;
  const responseFormat = parseResponseFormat(b.response_format);
  if (responseFormat.type !== 'text' && toolChoice !== 'none' && toolChoice !== 'auto') {
    throw invalidRequest(`'response_format' ${responseFormat.type} cannot be combined with a forced tool call ('tool_choice' ${JSON.stringify(toolChoice)}): a reply is either JSON text or tool calls.`, 'response_format');
  }
  if (optional(b, 'logprobs', 'a boolean', isBoolean)) throw invalidRequest("'logprobs' is not supported by this server.", 'logprobs');
  if ((optional(b, 'top_logprobs', 'an integer', isInteger) ?? 0) > 0) throw invalidRequest("'top_logprobs' is not supported by this server.", 'top_logprobs');
  optional(b, 'user', 'a string', isString);
  parseN(b, 'n');
  return { model, messages, tools, toolChoice, parallelToolCalls, responseFormat, ...parseSampling(b, ctx, ['max_completion_tokens', 'max_tokens']) };
}

// ---- shared with parseCompletionRequest ----

/** temperature, top_p, top_k, seed, penalties, stop, max tokens (first key given in `maxTokenKeys` wins), stream. */
export function parseSampling(b: Json, ctx: ParseContext, maxTokenKeys: readonly string[]): SamplingOptions & Omit<StreamOptions, 'model'> {
  let maxTokens: number | undefined;
  for (const key of maxTokenKeys) maxTokens ??= tokenCount(b, key);
  const stream = optional(b, 'stream', 'a boolean', isBoolean) ?? false;
  const streamOptions = optional(b, 'stream_options', 'an object', isObject);
  if (streamOptions && !stream) throw invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  const includeUsage = streamOptions ? optional(streamOptions, 'include_usage', 'a boolean', isBoolean, 'stream_options.') ?? false : false;
  const topK = optional(b, 'top_k', 'an integer', isInteger); // not OpenAI's, but vLLM and llama-server take it
  return compact({
    temperature: range(b, 'temperature', 0, 2),
    topP: range(b, 'top_p', 0, 1, true),
    topK: topK !== undefined && topK > 0 ? topK : undefined,
    seed: optional(b, 'seed', 'an integer', isInteger),
    frequencyPenalty: range(b, 'frequency_penalty', -2, 2),
    presencePenalty: range(b, 'presence_penalty', -2, 2),
    stop: parseStop(b.stop, 'stop', ctx.maxStop ?? 4),
    maxTokens,
    stream,
    includeUsage,
  });
}

/** `n` (or `best_of`): this server returns exactly one choice. */
export function parseN(b: Json, key: string): void {
  const n = optional(b, key, 'an integer', isInteger);
  if (n === undefined || n === 1) return;
  throw invalidRequest(
    n > 1 ? `'${key}' = ${n} is not supported: this server returns exactly one choice per request; omit '${key}' or send 1.` : `Invalid value for '${key}': expected 1, but got ${n}.`,
    key,
  );
}

// ---- messages ----

function parseMessages(v: unknown): EngineMessage[] {
  if (v == null) throw invalidRequest("Missing required parameter: 'messages'.", 'messages');
  if (!Array.isArray(v)) throw wrongType('messages', 'an array', v);
  if (v.length === 0) throw invalidRequest("Invalid value for 'messages': expected at least one message, but got an empty array.", 'messages');
  return v.map((m, i) => parseMessage(m, `messages[${i}]`));
}

function parseMessage(m: unknown, at: string): EngineMessage {
  if (!isObject(m)) throw wrongType(at, 'an object', m);
  const role = m.role;
  if (role == null) throw invalidRequest(`Missing required parameter: '${at}.role'.`, `${at}.role`);
  if (typeof role !== 'string') throw wrongType(`${at}.role`, 'a string', role);
  const name = optional(m, 'name', 'a string', isString, `${at}.`);
  switch (role) {
    case 'system':
    case 'developer':
    case 'user':
      return compact({ role: role === 'user' ? 'user' : 'system', content: parseContent(m.content, at, false), name });
    case 'assistant': {
      const toolCalls = parseToolCalls(m.tool_calls, at);
      return compact({ role, content: parseContent(m.content, at, true), toolCalls, name });
    }
    case 'tool': {
      if (m.tool_call_id == null) throw invalidRequest(`Missing required parameter: '${at}.tool_call_id'.`, `${at}.tool_call_id`);
      const toolCallId = optional(m, 'tool_call_id', 'a string', isString, `${at}.`);
      return compact({ role, content: parseContent(m.content, at, false), toolCallId, name });
    }
    case 'function':
      throw invalidRequest(`'function' messages are deprecated and not supported; send 'tool' messages with a 'tool_call_id'.`, `${at}.role`);
    default:
      throw invalidRequest(`Invalid value for '${at}.role': '${role}'. Supported values are 'system', 'developer', 'user', 'assistant' and 'tool'.`, `${at}.role`);
  }
}

/** A string, or text parts joined with '\n'. Media parts are refused: the model reads text only. */
function parseContent(v: unknown, at: string, nullable: boolean): string {
  const param = `${at}.content`;
  if (v == null) {
    if (nullable) return '';
    throw invalidRequest(`Missing required parameter: '${param}'.`, param);
  }
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) throw wrongType(param, 'a string or an array of content parts', v);
  return v.map((part, j) => partText(part, `${param}[${j}]`)).join('\n');
}

function partText(p: unknown, at: string): string {
  if (!isObject(p)) throw wrongType(at, 'an object', p);
  if (p.type === 'text' || p.type === 'refusal') {
    const key = p.type;
    if (typeof p[key] !== 'string') throw wrongType(`${at}.${key}`, 'a string', p[key]);
    return p[key] as string;
  }
  if (typeof p.type === 'string' && MEDIA_PARTS.has(p.type)) {
    throw invalidRequest(`'${at}' is an '${p.type}' part, but this model reads text only; send text content.`, at);
  }
  throw invalidRequest(`Invalid value for '${at}.type': expected 'text', but got ${JSON.stringify(p.type ?? null)}.`, `${at}.type`);
}

function parseToolCalls(v: unknown, at: string): ToolCall[] | undefined {
  if (v == null) return undefined;
  if (!Array.isArray(v)) throw wrongType(`${at}.tool_calls`, 'an array', v);
  if (v.length === 0) return undefined;
  return v.map((c, j) => {
    const p = `${at}.tool_calls[${j}]`;
    if (!isObject(c)) throw wrongType(p, 'an object', c);
    if (c.type != null && c.type !== 'function') throw invalidRequest(`Invalid value for '${p}.type': expected 'function', but got ${JSON.stringify(c.type)}.`, `${p}.type`);
    const id = requiredString(c, 'id', p);
    if (c.function == null) throw invalidRequest(`Missing required parameter: '${p}.function'.`, `${p}.function`);
    if (!isObject(c.function)) throw wrongType(`${p}.function`, 'an object', c.function);
    const name = requiredString(c.function, 'name', `${p}.function`);
    return { id, name, arguments: parseArguments(c.function.arguments, `${p}.function.arguments`) };
  });
}

/** The JSON-encoded arguments string, parsed; '' or missing is {}. */
function parseArguments(v: unknown, param: string): unknown {
  if (v == null) return {};
  if (typeof v !== 'string') throw wrongType(param, 'a JSON-encoded string', v);
  if (v.trim() === '') return {};
  try {
    return JSON.parse(v);
  } catch (e) {
    throw invalidRequest(`Invalid JSON in '${param}': ${(e as Error).message}. Tool-call arguments must be a JSON-encoded string.`, param);
  }
}

// ---- tools ----

function parseTools(v: unknown): EngineTool[] {
  if (v == null) return [];
  if (!Array.isArray(v)) throw wrongType('tools', 'an array', v);
  const seen = new Set<string>();
  return v.map((t, i) => {
    const p = `tools[${i}]`;
    if (!isObject(t)) throw wrongType(p, 'an object', t);
    if (t.type !== 'function') throw invalidRequest(`Invalid value for '${p}.type': only 'function' tools are supported, but got ${JSON.stringify(t.type ?? null)}.`, `${p}.type`);
    if (t.function == null) throw invalidRequest(`Missing required parameter: '${p}.function'.`, `${p}.function`);
    if (!isObject(t.function)) throw wrongType(`${p}.function`, 'an object', t.function);
    const fn = t.function;
    const name = requiredString(fn, 'name', `${p}.function`);
    if (!TOOL_NAME.test(name)) throw invalidRequest(`Invalid value for '${p}.function.name': '${name}' must be 1-64 characters of a-z, A-Z, 0-9, '_' or '-'.`, `${p}.function.name`);
    if (seen.has(name)) throw invalidRequest(`Duplicate tool name '${name}' in 'tools': tool names must be unique.`, `${p}.function.name`);
    seen.add(name);
    const description = optional(fn, 'description', 'a string', isString, `${p}.function.`);
    const parameters = optional(fn, 'parameters', 'a JSON Schema object', isObject, `${p}.function.`) ?? { type: 'object', properties: {} };
    return compact({ name, description, parameters });
  });
}

function parseToolChoice(v: unknown, tools: EngineTool[]): ToolChoice {
  if (v == null) return tools.length ? 'auto' : 'none';
  const noTools = () => invalidRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
  if (typeof v === 'string') {
    if (v !== 'none' && v !== 'auto' && v !== 'required') {
      throw invalidRequest(`Invalid value for 'tool_choice': '${v}'. Supported values are 'none', 'auto', 'required' or {"type": "function", "function": {"name": "..."}}.`, 'tool_choice');
    }
    if (v !== 'none' && !tools.length) throw noTools();
    return v;
  }
  if (!isObject(v)) throw wrongType('tool_choice', 'a string or an object', v);
  if (v.type !== 'function') throw invalidRequest(`Invalid value for 'tool_choice.type': expected 'function', but got ${JSON.stringify(v.type ?? null)}.`, 'tool_choice.type');
  if (v.function == null) throw invalidRequest("Missing required parameter: 'tool_choice.function'.", 'tool_choice.function');
  if (!isObject(v.function)) throw wrongType('tool_choice.function', 'an object', v.function);
  const name = requiredString(v.function, 'name', 'tool_choice.function');
  if (!tools.length) throw noTools();
  if (!tools.some((t) => t.name === name)) throw invalidRequest(`Invalid value for 'tool_choice.function.name': no tool named '${name}' in 'tools'.`, 'tool_choice.function.name');
  return { name };
}

function parseResponseFormat(v: unknown): ResponseFormat {
  if (v == null) return { type: 'text' };
  if (!isObject(v)) throw wrongType('response_format', 'an object', v);
  switch (v.type) {
    case 'text':
    case 'json_object':
      return { type: v.type };
    case 'json_schema': {
      const p = 'response_format.json_schema';
      if (v.json_schema == null) throw invalidRequest(`Missing required parameter: '${p}'.`, p);
      if (!isObject(v.json_schema)) throw wrongType(p, 'an object', v.json_schema);
      const js = v.json_schema;
      const name = requiredString(js, 'name', p);
      if (js.schema == null) throw invalidRequest(`Missing required parameter: '${p}.schema'.`, `${p}.schema`);
      const schema = optional(js, 'schema', 'a JSON Schema object', isObject, `${p}.`)!;
      optional(js, 'strict', 'a boolean', isBoolean, `${p}.`);
      return { type: 'json_schema', name, schema };
    }
    default:
      throw invalidRequest(`Invalid value for 'response_format.type': expected 'text', 'json_object' or 'json_schema', but got ${JSON.stringify(v.type ?? null)}.`, 'response_format.type');
  }
}
