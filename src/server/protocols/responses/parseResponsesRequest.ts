/**
 * An OpenAI Responses body (/v1/responses) -> the engine's request. Pure.
 *
 * Built for what Codex sends: no `instructions`, the system prompt as `developer` message items with ids; the whole
 * history every turn as message, `function_call` and `function_call_output` items; `reasoning` items (dropped);
 * function tools, a `namespace` of function tools (flattened: the model sees every function by its own name) and
 * hosted tools such as `web_search`, which are only offered and not shown to the model; `reasoning`, `include`,
 * `prompt_cache_key`, `client_metadata` and any unknown field are ignored. Any model name is accepted.
 */
import { invalidRequest } from '../../apiError.js';
import type { EngineMessage, EngineRequest, EngineTool, ResponseFormat, ToolChoice } from '../../engine/engineRequest.js';
import { compact, isBoolean, isInteger, isObject, isString, optional, range, requiredString, requireObject, tokenCount, wrongType, type Json } from '../parseFields.js';
import type { ResponseEcho } from './renderResponses.js';

export interface ResponsesRequest extends EngineRequest {
  stream: boolean;
  store: boolean;
  previousResponseId?: string;
  /** The request's own messages (without instructions): what a stored response keeps of its input. */
  input: EngineMessage[];
  echo: ResponseEcho;
  /** The namespace of each function that came in one (its calls name it). */
  namespaces: Record<string, string>;
}

const HOSTED_TOOLS = new Set(['web_search', 'web_search_preview', 'web_search_preview_2025_03_11', 'file_search', 'code_interpreter', 'computer_use_preview', 'computer_use', 'image_generation', 'mcp', 'local_shell', 'shell', 'apply_patch', 'tool_search']);
const TEXT_PARTS = new Set(['input_text', 'output_text', 'text', 'summary_text', 'reasoning_text']);
const MEDIA_PARTS = new Set(['input_image', 'input_file', 'input_audio']);
/** Items that carry nothing the model can use again: reasoning (encrypted or summaries), hosted tool calls. */
const DROPPED_ITEMS = new Set(['reasoning', 'web_search_call', 'file_search_call', 'image_generation_call', 'code_interpreter_call', 'compaction', 'mcp_list_tools']);

export function parseResponsesRequest(body: unknown, servedModel: string): ResponsesRequest {
  const b = requireObject(body);
  if (b.model != null && typeof b.model !== 'string') throw wrongType('model', 'a string', b.model);
  const instructions = optional(b, 'instructions', 'a string', isString);
  const input = parseInput(b.input);
  const { tools, shown, namespaces } = parseTools(b.tools);
  const toolChoice = parseToolChoice(b.tool_choice, shown);
  const parallelToolCalls = optional(b, 'parallel_tool_calls', 'a boolean', isBoolean) ?? true;
  const responseFormat = parseTextFormat(b.text);
  const maxTokens = tokenCount(b, 'max_output_tokens');
  const temperature = range(b, 'temperature', 0, 2);
  const topP = range(b, 'top_p', 0, 1);
  const store = optional(b, 'store', 'a boolean', isBoolean) ?? true;
  const previousResponseId = optional(b, 'previous_response_id', 'a string', isString);
  const metadata = optional(b, 'metadata', 'an object', isObject) ?? {};
  return compact({
    messages: [...(instructions ? [{ role: 'system' as const, content: instructions }] : []), ...input],
    input,
    tools: shown,
    toolChoice,
    parallelToolCalls,
    responseFormat,
    temperature,
    topP,
    seed: optional(b, 'seed', 'an integer', isInteger), // not OpenAI's: for repeatable runs
    stop: [],
    maxTokens,
    stream: optional(b, 'stream', 'a boolean', isBoolean) ?? false,
    store,
    previousResponseId,
    namespaces,
    echo: {
      model: servedModel,
      instructions: instructions ?? null,
      maxOutputTokens: maxTokens ?? null,
      previousResponseId: previousResponseId ?? null,
      parallelToolCalls,
      store,
      temperature: temperature ?? null,
      topP: topP ?? null,
      toolChoice: b.tool_choice ?? 'auto',
      tools,
      text: isObject(b.text) ? b.text : { format: { type: 'text' } },
      metadata,
    },
  });
}

function parseInput(v: unknown): EngineMessage[] {
  if (v == null) throw invalidRequest("Missing required parameter: 'input'.", 'input');
  if (typeof v === 'string') return [{ role: 'user', content: v }];
  if (!Array.isArray(v)) throw wrongType('input', 'a string or an array of input items', v);
  return v.flatMap((item, i) => parseItem(item, `input[${i}]`));
}

function parseItem(item: unknown, at: string): EngineMessage[] {
  if (!isObject(item)) throw wrongType(at, 'an object', item);
  const type = item.type ?? (item.role != null ? 'message' : undefined);
  switch (type) {
    case 'message':
      return [parseMessage(item, at)];
    case 'function_call': {
      const args = requiredString(item, 'arguments', at);
      return [{ role: 'assistant', content: '', toolCalls: [{ id: requiredString(item, 'call_id', at), name: requiredString(item, 'name', at), arguments: parseArguments(args, `${at}.arguments`) }] }];
    }
    case 'function_call_output':
      return [{ role: 'tool', toolCallId: requiredString(item, 'call_id', at), content: contentText(item.output, `${at}.output`) }];
    case 'item_reference':
      throw invalidRequest(`'${at}': item references are not supported by this server; send the item itself.`, at);
    default:
      if (typeof type === 'string' && DROPPED_ITEMS.has(type)) return [];
      throw invalidRequest(`Invalid value for '${at}.type': ${JSON.stringify(type ?? null)} is not an input item type this server supports (message, function_call, function_call_output, reasoning).`, `${at}.type`);
  }
}

function parseMessage(item: Json, at: string): EngineMessage {
  const role = item.role;
  const content = contentText(item.content, `${at}.content`);
  switch (role) {
    case 'user':
    case 'assistant':
      return { role, content };
    case 'system':
    case 'developer':
      return { role: 'system', content };
    default:
      throw invalidRequest(`Invalid value for '${at}.role': ${JSON.stringify(role ?? null)}. Supported values are 'user', 'assistant', 'system' and 'developer'.`, `${at}.role`);
  }
}

/** A string, or text parts joined with '\n'. Images and files are refused: the model reads text only. */
function contentText(v: unknown, at: string): string {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) throw wrongType(at, 'a string or an array of content parts', v);
  return v
    .map((part, j) => {
      const p = `${at}[${j}]`;
      if (!isObject(part)) throw wrongType(p, 'an object', part);
      if (typeof part.type === 'string' && TEXT_PARTS.has(part.type)) return requiredString(part, 'text', p);
      if (part.type === 'refusal') return requiredString(part, 'refusal', p);
      if (typeof part.type === 'string' && MEDIA_PARTS.has(part.type)) throw invalidRequest(`'${p}' is an '${part.type}' part, but this model reads text only; send text content.`, p);
      throw invalidRequest(`Invalid value for '${p}.type': expected 'input_text' or 'output_text', but got ${JSON.stringify(part.type ?? null)}.`, `${p}.type`);
    })
    .join('\n');
}

function parseArguments(v: string, param: string): unknown {
  if (v.trim() === '') return {};
  try {
    return JSON.parse(v);
  } catch (e) {
    throw invalidRequest(`Invalid JSON in '${param}': ${(e as Error).message}.`, param);
  }
}

/** `tools` as sent (echoed back) and the functions the model is shown: namespaces flattened, hosted tools left out. */
function parseTools(v: unknown): { tools: unknown[]; shown: EngineTool[]; namespaces: Record<string, string> } {
  if (v == null) return { tools: [], shown: [], namespaces: {} };
  if (!Array.isArray(v)) throw wrongType('tools', 'an array', v);
  const shown: EngineTool[] = [];
  const namespaces: Record<string, string> = {};
  const add = (t: Json, p: string) => {
    const name = requiredString(t, 'name', p);
    if (!/^[a-zA-Z0-9_-]{1,128}$/.test(name)) throw invalidRequest(`Invalid value for '${p}.name': '${name}' must be 1-128 characters of a-z, A-Z, 0-9, '_' or '-'.`, `${p}.name`);
    if (shown.some((s) => s.name === name)) throw invalidRequest(`Duplicate tool name '${name}' in 'tools'.`, `${p}.name`);
    const parameters = optional(t, 'parameters', 'a JSON Schema object', isObject, `${p}.`) ?? { type: 'object', properties: {} };
    shown.push(compact({ name, description: optional(t, 'description', 'a string', isString, `${p}.`), parameters }));
  };
  v.forEach((t, i) => {
    const p = `tools[${i}]`;
    if (!isObject(t)) throw wrongType(p, 'an object', t);
    if (t.type === 'function') add(t, p);
    else if (t.type === 'namespace') {
      if (!Array.isArray(t.tools)) throw wrongType(`${p}.tools`, 'an array', t.tools);
      t.tools.forEach((inner, j) => {
        const q = `${p}.tools[${j}]`;
        if (!isObject(inner)) throw wrongType(q, 'an object', inner);
        if (inner.type === 'function' || inner.type == null) {
          add(inner, q);
          if (typeof t.name === 'string') namespaces[shown.at(-1)!.name] = t.name;
        }
      });
    } else if (typeof t.type !== 'string') throw invalidRequest(`Missing required parameter: '${p}.type'.`, `${p}.type`);
    // Any other type is a hosted tool (web_search, file_search, ...): offered by the client, run by no one here.
  });
  return { tools: v, shown, namespaces };
}

function parseToolChoice(v: unknown, tools: EngineTool[]): ToolChoice {
  if (v == null || v === 'auto') return tools.length ? 'auto' : 'none';
  if (v === 'none') return 'none';
  if (v === 'required') {
    if (!tools.length) throw invalidRequest("Invalid value for 'tool_choice': 'required' needs at least one function tool in 'tools'.", 'tool_choice');
    return 'required';
  }
  if (typeof v === 'string') throw invalidRequest(`Invalid value for 'tool_choice': '${v}'. Supported values are 'none', 'auto', 'required' or {"type": "function", "name": "..."}.`, 'tool_choice');
  if (!isObject(v)) throw wrongType('tool_choice', 'a string or an object', v);
  if (v.type === 'function') {
    const name = requiredString(v, 'name', 'tool_choice');
    if (!tools.some((t) => t.name === name)) throw invalidRequest(`Invalid value for 'tool_choice.name': no function tool named '${name}' in 'tools'.`, 'tool_choice.name');
    return { name };
  }
  if (v.type === 'allowed_tools') return v.mode === 'required' ? 'required' : 'auto';
  const type = typeof v.type === 'string' ? v.type : JSON.stringify(v.type ?? null);
  throw invalidRequest(
    HOSTED_TOOLS.has(type) ? `'tool_choice' forces the hosted tool '${type}', which this server does not run; use 'auto' or a function tool.` : `Invalid value for 'tool_choice.type': '${type}'.`,
    'tool_choice.type',
  );
}

function parseTextFormat(v: unknown): ResponseFormat {
  if (v == null) return { type: 'text' };
  if (!isObject(v)) throw wrongType('text', 'an object', v);
  const format = optional(v, 'format', 'an object', isObject, 'text.');
  if (!format || format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') {
    const schema = optional(format, 'schema', 'a JSON Schema object', isObject, 'text.format.');
    if (!schema) throw invalidRequest("Missing required parameter: 'text.format.schema'.", 'text.format.schema');
    return { type: 'json_schema', name: requiredString(format, 'name', 'text.format'), schema };
  }
  throw invalidRequest(`Invalid value for 'text.format.type': expected 'text', 'json_object' or 'json_schema', but got ${JSON.stringify(format.type ?? null)}.`, 'text.format.type');
}
