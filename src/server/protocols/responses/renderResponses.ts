/**
 * The engine's result and streamed events in the OpenAI Responses shapes: a response object with `message`
 * (output_text) and `function_call` items, and its SSE events from response.created to response.completed (or
 * response.incomplete), each with its `sequence_number` and `output_index`. Pure: ids and times come in.
 */
import type { GenerationResult, ToolCallDelta, Usage } from '../../engine/engineRequest.js';

/** What the response object repeats of the request. */
export interface ResponseEcho {
  model: string;
  instructions: string | null;
  maxOutputTokens: number | null;
  previousResponseId: string | null;
  parallelToolCalls: boolean;
  store: boolean;
  temperature: number | null;
  topP: number | null;
  toolChoice: unknown;
  tools: unknown[];
  text: unknown;
  metadata: Record<string, unknown>;
}

export interface ResponseMeta {
  id: string;
  createdAt: number;
  echo: ResponseEcho;
  /** Fresh ids for output items. */
  newId: (prefix: string) => string;
  /** Functions offered inside a namespace: their calls carry it. */
  namespaces?: Record<string, string>;
}

export type OutputItem =
  | { id: string; type: 'message'; status: 'completed' | 'incomplete' | 'in_progress'; role: 'assistant'; content: { type: 'output_text'; text: string; annotations: []; logprobs: [] }[] }
  | { id: string; type: 'function_call'; status: 'completed' | 'incomplete' | 'in_progress'; call_id: string; name: string; namespace?: string; arguments: string };

export const callId = (id: string) => `call_${id}`;

export function toResponsesUsage(usage: Usage) {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

export function responseObject(meta: ResponseMeta, status: 'in_progress' | 'completed' | 'incomplete', output: OutputItem[], usage: Usage | null) {
  const e = meta.echo;
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: e.instructions,
    max_output_tokens: e.maxOutputTokens,
    model: e.model,
    output,
    parallel_tool_calls: e.parallelToolCalls,
    previous_response_id: e.previousResponseId,
    reasoning: { effort: null, summary: null },
    store: e.store,
    temperature: e.temperature,
    text: e.text,
    tool_choice: e.toolChoice,
    tools: e.tools,
    top_p: e.topP,
    truncation: 'disabled',
    usage: usage ? toResponsesUsage(usage) : null,
    user: null,
    metadata: e.metadata,
  };
}

const statusOf = (result: GenerationResult): 'completed' | 'incomplete' => (result.finishReason === 'length' ? 'incomplete' : 'completed');

/** The output items of a finished generation: the text (if any) as a message, then each tool call. */
export function outputItems(result: GenerationResult, meta: Pick<ResponseMeta, 'newId' | 'namespaces'>): OutputItem[] {
  const status = statusOf(result);
  return [
    ...(result.text || result.toolCalls.length === 0 ? [messageItem(meta.newId('msg'), result.text, status)] : []),
    ...result.toolCalls.map((c) => functionCallItem(meta, c.id, c.name, c.arguments, status)),
  ];
}

export function responseBody(result: GenerationResult, meta: ResponseMeta) {
  return responseObject(meta, statusOf(result), outputItems(result, meta), result.usage);
}

function functionCallItem(meta: Pick<ResponseMeta, 'newId' | 'namespaces'>, id: string, name: string, args: string, status: OutputItem['status']): OutputItem {
  const namespace = meta.namespaces?.[name];
  return { id: meta.newId('fc'), type: 'function_call', status, call_id: callId(id), name, ...(namespace ? { namespace } : {}), arguments: args };
}

function messageItem(id: string, text: string, status: OutputItem['status']): OutputItem {
  return { id, type: 'message', status, role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] };
}

export interface ResponseEvent {
  event: string;
  data: { type: string; sequence_number: number } & Record<string, unknown>;
}

/** Engine events -> Responses stream events; finish() also returns the output items, for the store. */
export class ResponseStream {
  private sequence = 0;
  private readonly items: OutputItem[] = [];
  private text: { index: number; id: string; text: string } | undefined;
  private readonly calls = new Map<number, number>();

  constructor(private readonly meta: ResponseMeta) {}

  start(): ResponseEvent[] {
    const response = responseObject(this.meta, 'in_progress', [], null);
    return [this.event('response.created', { response }), this.event('response.in_progress', { response })];
  }

  textDelta(delta: string): ResponseEvent[] {
    const events = this.text && this.items[this.text.index]!.status === 'in_progress' ? [] : this.openText();
    const open = this.text!;
    open.text += delta;
    events.push(this.event('response.output_text.delta', { item_id: open.id, output_index: open.index, content_index: 0, delta, logprobs: [] }));
    return events;
  }

  toolCall(delta: ToolCallDelta): ResponseEvent[] {
    const events = delta.id !== undefined ? this.closeText('completed') : [];
    if (delta.id !== undefined) {
      const item = functionCallItem(this.meta, delta.id, delta.name ?? '', '', 'in_progress');
      this.calls.set(delta.index, this.items.push(item) - 1);
      events.push(this.event('response.output_item.added', { output_index: this.calls.get(delta.index)!, item }));
    }
    const index = this.calls.get(delta.index);
    const item = index === undefined ? undefined : this.items[index];
    if (item?.type === 'function_call' && delta.arguments) {
      item.arguments += delta.arguments;
      events.push(this.event('response.function_call_arguments.delta', { item_id: item.id, output_index: index!, delta: delta.arguments }));
    }
    return events;
  }

  finish(result: GenerationResult): { events: ResponseEvent[]; output: OutputItem[] } {
    const status = statusOf(result);
    const events = this.items.length === 0 ? this.openText() : []; // an empty answer is an empty message
    events.push(...this.closeText(status));
    for (const [, index] of this.calls) {
      const item = this.items[index]!;
      if (item.type !== 'function_call') continue;
      item.status = status;
      events.push(
        this.event('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: item.name, arguments: item.arguments }),
        this.event('response.output_item.done', { output_index: index, item }),
      );
    }
    const response = responseObject(this.meta, status, this.items, result.usage);
    events.push(this.event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response }));
    return { events, output: this.items };
  }

  /** An error after the stream began (OpenAI's `error` event). */
  error(message: string, code: string | null): ResponseEvent {
    return this.event('error', { code, message, param: null });
  }

  private openText(): ResponseEvent[] {
    const item = messageItem(this.meta.newId('msg'), '', 'in_progress');
    this.text = { index: this.items.push(item) - 1, id: item.id, text: '' };
    return [
      this.event('response.output_item.added', { output_index: this.text.index, item: { ...item, content: [] } }),
      this.event('response.content_part.added', { item_id: item.id, output_index: this.text.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }),
    ];
  }

  private closeText(status: OutputItem['status']): ResponseEvent[] {
    const open = this.text;
    if (!open || this.items[open.index]!.status !== 'in_progress') return [];
    const item = messageItem(open.id, open.text, status);
    this.items[open.index] = item;
    const part = item.type === 'message' ? item.content[0]! : undefined;
    return [
      this.event('response.output_text.done', { item_id: open.id, output_index: open.index, content_index: 0, text: open.text, logprobs: [] }),
      this.event('response.content_part.done', { item_id: open.id, output_index: open.index, content_index: 0, part }),
      this.event('response.output_item.done', { output_index: open.index, item }),
    ];
  }

  private event(type: string, fields: Record<string, unknown>): ResponseEvent {
    return { event: type, data: { type, sequence_number: this.sequence++, ...fields } };
  }
}
