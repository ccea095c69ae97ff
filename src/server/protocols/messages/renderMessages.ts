/**
 * The engine's result and streamed events in Anthropic's Messages shapes: a message, its SSE events in the exact
 * order Anthropic sends them (message_start, then per block content_block_start / _delta / _stop, message_delta,
 * message_stop) and errors. Pure: ids come in `meta`.
 */
import type { ApiError } from '../../apiError.js';
import type { GenerationResult, ToolCallDelta, Usage } from '../../engine/engineRequest.js';

export interface MessageMeta {
  id: string;
  model: string;
}

type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

/** Anthropic counts cache reads apart from input: input_tokens + cache_read_input_tokens is the whole prompt. */
export function toAnthropicUsage(usage: Usage, outputTokens = usage.completionTokens) {
  return {
    input_tokens: usage.promptTokens - usage.cachedTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: usage.cachedTokens,
    output_tokens: outputTokens,
  };
}

export function stopReason(result: GenerationResult): StopReason {
  if (result.finishReason === 'length') return 'max_tokens';
  if (result.finishReason === 'tool_calls') return 'tool_use';
  return result.stopSequence !== undefined ? 'stop_sequence' : 'end_turn';
}

/** Tool-use ids: Anthropic's prefix on the engine's id. */
export const toolUseId = (id: string) => `toolu_${id}`;

/** A call's input: its arguments, or {} for arguments cut short by the token limit (Anthropic's input is an object). */
function toolInput(args: string): unknown {
  try {
    return JSON.parse(args || '{}') as unknown;
  } catch {
    return {};
  }
}

export function messageBody(result: GenerationResult, meta: MessageMeta) {
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: [
      ...(result.text || result.toolCalls.length === 0 ? [{ type: 'text', text: result.text }] : []),
      ...result.toolCalls.map((c) => ({ type: 'tool_use', id: toolUseId(c.id), name: c.name, input: toolInput(c.arguments) })),
    ],
    stop_reason: stopReason(result),
    stop_sequence: result.stopSequence ?? null,
    usage: toAnthropicUsage(result.usage),
  };
}

export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
    case 405:
    case 415:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function anthropicErrorBody(error: ApiError) {
  return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } };
}

export interface SseEvent {
  event: string;
  data: object;
}

/**
 * Engine events -> Anthropic stream events. Text becomes a text block; each tool call a tool_use block whose
 * input arrives as input_json_delta. A block is closed when the next one starts.
 */
export class MessageStream {
  private index = -1;
  private open: 'text' | 'tool' | undefined;
  private readonly toolBlocks = new Map<number, number>();

  constructor(private readonly meta: MessageMeta) {}

  start(promptTokens: number, cachedTokens: number): SseEvent[] {
    const usage = toAnthropicUsage({ promptTokens, cachedTokens, completionTokens: 0 }, 1);
    return [
      { event: 'message_start', data: { type: 'message_start', message: { id: this.meta.id, type: 'message', role: 'assistant', model: this.meta.model, content: [], stop_reason: null, stop_sequence: null, usage } } },
      { event: 'ping', data: { type: 'ping' } },
    ];
  }

  text(text: string): SseEvent[] {
    const events = this.open === 'text' ? [] : this.openBlock('text', { type: 'text', text: '' });
    return [...events, { event: 'content_block_delta', data: { type: 'content_block_delta', index: this.index, delta: { type: 'text_delta', text } } }];
  }

  toolCall(delta: ToolCallDelta): SseEvent[] {
    const events: SseEvent[] = [];
    if (delta.id !== undefined) {
      events.push(...this.openBlock('tool', { type: 'tool_use', id: toolUseId(delta.id), name: delta.name ?? '', input: {} }));
      this.toolBlocks.set(delta.index, this.index);
    }
    const index = this.toolBlocks.get(delta.index);
    if (index !== undefined && delta.arguments) {
      events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: delta.arguments } } });
    }
    return events;
  }

  finish(result: GenerationResult): SseEvent[] {
    // A message has at least one block: an empty answer is an empty text block.
    const events = this.index < 0 ? this.openBlock('text', { type: 'text', text: '' }) : [];
    events.push(...this.closeBlock());
    events.push(
      { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: stopReason(result), stop_sequence: result.stopSequence ?? null }, usage: toAnthropicUsage(result.usage) } },
      { event: 'message_stop', data: { type: 'message_stop' } },
    );
    return events;
  }

  private openBlock(kind: 'text' | 'tool', block: object): SseEvent[] {
    const events = this.closeBlock();
    this.index++;
    this.open = kind;
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index: this.index, content_block: block } });
    return events;
  }

  private closeBlock(): SseEvent[] {
    if (this.open === undefined) return [];
    this.open = undefined;
    return [{ event: 'content_block_stop', data: { type: 'content_block_stop', index: this.index } }];
  }
}
