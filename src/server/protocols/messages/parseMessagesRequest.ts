/**
 * An Anthropic Messages body (/v1/messages, /v1/messages/count_tokens) -> the engine's request. Pure.
 *
 * Built for what Claude Code sends: `system` as a string or text blocks; `role: "system"` messages inside
 * `messages` (merged, in order, with the rest of the system prompt by the engine); text, tool_use and tool_result
 * blocks (tool_result content as a string or blocks, `is_error`); thinking blocks in history are dropped;
 * `cache_control`, `thinking`, `metadata`, `context_management`, `output_config` and any unknown field are
 * ignored. Tools without an `input_schema` (Anthropic's server tools such as web_search) are not shown to the
 * model. `seed` (not Anthropic's) makes sampling repeatable. Any model name is accepted: the server has one model, and Claude Code sends its own names for
 * background requests unless told otherwise.
 */
import { invalidRequest } from '../../apiError.js';
import type { EngineMessage, EngineRequest, EngineTool, ToolChoice } from '../../engine/engineRequest.js';
import { compact, isBoolean, isInteger, isObject, isString, optional, parseStop, range, requiredString, requireObject, tokenCount, wrongType, type Json } from '../parseFields.js';

export interface MessagesRequest extends EngineRequest {
  model: string;
  stream: boolean;
}

const MEDIA_BLOCKS = new Set(['image', 'document', 'search_result', 'container_upload']);
const DROPPED_BLOCKS = new Set(['thinking', 'redacted_thinking', 'server_tool_use', 'web_search_tool_result', 'web_fetch_tool_result', 'code_execution_tool_result', 'mcp_tool_use', 'mcp_tool_result']);

/** `countOnly`: /v1/messages/count_tokens, where max_tokens is not part of the request. */
export function parseMessagesRequest(body: unknown, servedModel: string, countOnly = false): MessagesRequest {
  const b = requireObject(body);
  const model = optional(b, 'model', 'a string', isString);
  if (model === undefined) throw invalidRequest('model: Field required', 'model');
  const maxTokens = tokenCount(b, 'max_tokens');
  if (maxTokens === undefined && !countOnly) throw invalidRequest('max_tokens: Field required', 'max_tokens');
  const tools = parseTools(b.tools);
  const messages = [...parseSystem(b.system), ...parseMessages(b.messages)];
  const { toolChoice, parallel } = parseToolChoice(b.tool_choice, tools);
  return compact({
    model: servedModel,
    messages,
    tools,
    toolChoice,
    parallelToolCalls: parallel,
    responseFormat: { type: 'text' as const },
    temperature: range(b, 'temperature', 0, 1),
    topP: range(b, 'top_p', 0, 1),
    topK: optional(b, 'top_k', 'an integer', isInteger),
    seed: optional(b, 'seed', 'an integer', isInteger), // not Anthropic's: for repeatable runs
    stop: parseStop(b.stop_sequences, 'stop_sequences', 64),
    maxTokens,
    stream: optional(b, 'stream', 'a boolean', isBoolean) ?? false,
  });
}

function parseSystem(v: unknown): EngineMessage[] {
  if (v == null) return [];
  if (typeof v === 'string') return v ? [{ role: 'system', content: v }] : [];
  if (!Array.isArray(v)) throw wrongType('system', 'a string or an array of text blocks', v);
  const text = v.map((block, i) => blockText(block, `system[${i}]`)).filter(Boolean).join('\n\n');
  return text ? [{ role: 'system', content: text }] : [];
}

function blockText(block: unknown, at: string): string {
  if (!isObject(block)) throw wrongType(at, 'an object', block);
  if (block.type !== 'text') throw invalidRequest(`${at}.type: expected 'text', but got ${JSON.stringify(block.type ?? null)}`, `${at}.type`);
  return requiredString(block, 'text', at);
}

function parseMessages(v: unknown): EngineMessage[] {
  if (v == null) throw invalidRequest('messages: Field required', 'messages');
  if (!Array.isArray(v)) throw wrongType('messages', 'an array', v);
  if (v.length === 0) throw invalidRequest('messages: at least one message is required', 'messages');
  return v.flatMap((m, i) => parseMessage(m, `messages[${i}]`));
}

function parseMessage(m: unknown, at: string): EngineMessage[] {
  if (!isObject(m)) throw wrongType(at, 'an object', m);
  const role = m.role;
  if (role !== 'user' && role !== 'assistant' && role !== 'system') {
    throw invalidRequest(`${at}.role: expected 'user' or 'assistant', but got ${JSON.stringify(role ?? null)}`, `${at}.role`);
  }
  const content = m.content;
  if (typeof content === 'string') return [{ role, content }];
  if (!Array.isArray(content)) throw wrongType(`${at}.content`, 'a string or an array of content blocks', content);
  if (role === 'system') return [{ role, content: content.map((b, j) => blockText(b, `${at}.content[${j}]`)).join('\n\n') }];
  return role === 'assistant' ? assistantMessage(content, at) : userMessages(content, at);
}

/** Text and tool_use blocks -> one assistant message with its tool calls. */
function assistantMessage(blocks: unknown[], at: string): EngineMessage[] {
  const text: string[] = [];
  const toolCalls: NonNullable<EngineMessage['toolCalls']> = [];
  blocks.forEach((block, j) => {
    const p = `${at}.content[${j}]`;
    if (!isObject(block)) throw wrongType(p, 'an object', block);
    if (block.type === 'text') text.push(requiredString(block, 'text', p));
    else if (block.type === 'tool_use') {
      if (block.input != null && !isObject(block.input)) throw wrongType(`${p}.input`, 'an object', block.input);
      toolCalls.push({ id: requiredString(block, 'id', p), name: requiredString(block, 'name', p), arguments: block.input ?? {} });
    } else if (!DROPPED_BLOCKS.has(String(block.type))) unknownBlock(block, p);
  });
  return [compact({ role: 'assistant' as const, content: text.join(''), toolCalls: toolCalls.length ? toolCalls : undefined })];
}

/** tool_result blocks -> tool messages (first, as they answer the previous turn), the rest -> one user message. */
function userMessages(blocks: unknown[], at: string): EngineMessage[] {
  const results: EngineMessage[] = [];
  const text: string[] = [];
  blocks.forEach((block, j) => {
    const p = `${at}.content[${j}]`;
    if (!isObject(block)) throw wrongType(p, 'an object', block);
    if (block.type === 'text') text.push(requiredString(block, 'text', p));
    else if (block.type === 'tool_result') {
      const id = requiredString(block, 'tool_use_id', p);
      const content = toolResultText(block.content, `${p}.content`);
      const isError = optional(block, 'is_error', 'a boolean', isBoolean) ?? false;
      results.push({ role: 'tool', toolCallId: id, content: isError ? `Error: ${content}` : content });
    } else if (!DROPPED_BLOCKS.has(String(block.type))) unknownBlock(block, p);
  });
  return text.length ? [...results, { role: 'user', content: text.join('\n\n') }] : results;
}

function toolResultText(v: unknown, at: string): string {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) throw wrongType(at, 'a string or an array of content blocks', v);
  return v.map((b, i) => blockText(b, `${at}[${i}]`)).join('\n\n');
}

function unknownBlock(block: Json, at: string): never {
  if (MEDIA_BLOCKS.has(String(block.type))) throw invalidRequest(`${at}: '${String(block.type)}' blocks are not supported: this model reads text only`, at);
  throw invalidRequest(`${at}.type: unknown content block type ${JSON.stringify(block.type ?? null)}`, `${at}.type`);
}

function parseTools(v: unknown): EngineTool[] {
  if (v == null) return [];
  if (!Array.isArray(v)) throw wrongType('tools', 'an array', v);
  const seen = new Set<string>();
  return v.flatMap((t, i): EngineTool[] => {
    const p = `tools[${i}]`;
    if (!isObject(t)) throw wrongType(p, 'an object', t);
    // Server tools (web_search_20250305, ...) have a type and no input_schema: offered, not shown to the model.
    if (t.input_schema == null && t.type != null && t.type !== 'custom') return [];
    const name = requiredString(t, 'name', p);
    if (!/^[a-zA-Z0-9_-]{1,128}$/.test(name)) throw invalidRequest(`${p}.name: '${name}' must be 1-128 characters of a-z, A-Z, 0-9, '_' or '-'`, `${p}.name`);
    if (seen.has(name)) throw invalidRequest(`tools: tool names must be unique ('${name}' appears twice)`, `${p}.name`);
    seen.add(name);
    if (t.input_schema == null) throw invalidRequest(`${p}.input_schema: Field required`, `${p}.input_schema`);
    if (!isObject(t.input_schema)) throw wrongType(`${p}.input_schema`, 'a JSON Schema object', t.input_schema);
    const description = optional(t, 'description', 'a string', isString, `${p}.`);
    return [compact({ name, description, parameters: t.input_schema })];
  });
}

function parseToolChoice(v: unknown, tools: EngineTool[]): { toolChoice: ToolChoice; parallel: boolean } {
  if (v == null) return { toolChoice: tools.length ? 'auto' : 'none', parallel: true };
  if (!isObject(v)) throw wrongType('tool_choice', 'an object', v);
  const parallel = !(optional(v, 'disable_parallel_tool_use', 'a boolean', isBoolean, 'tool_choice.') ?? false);
  switch (v.type) {
    case 'none':
      return { toolChoice: 'none', parallel };
    case 'auto':
      return { toolChoice: tools.length ? 'auto' : 'none', parallel };
    case 'any':
      if (!tools.length) throw invalidRequest("tool_choice: 'any' needs at least one tool in 'tools'", 'tool_choice');
      return { toolChoice: 'required', parallel };
    case 'tool': {
      const name = requiredString(v, 'name', 'tool_choice');
      if (!tools.some((t) => t.name === name)) throw invalidRequest(`tool_choice.name: no tool named '${name}' in 'tools'`, 'tool_choice.name');
      return { toolChoice: { name }, parallel };
    }
    default:
      throw invalidRequest(`tool_choice.type: expected 'auto', 'any', 'tool' or 'none', but got ${JSON.stringify(v.type ?? null)}`, 'tool_choice.type');
  }
}
