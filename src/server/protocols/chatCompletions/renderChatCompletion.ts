/**
 * The engine's result and streamed events in Chat Completions' shapes (a chat.completion, chat.completion.chunk
 * events, OpenAI usage). Pure: ids and times come in `meta`.
 */
import type { GenerationResult, ToolCallDelta, Usage } from '../../engine/engineRequest.js';

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export function toOpenAiUsage(usage: Usage) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
  };
}

export function chatCompletionBody(result: GenerationResult, meta: CompletionMeta) {
  const calls = result.toolCalls;
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: calls.length && !result.text ? null : result.text,
          ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
        },
        logprobs: null,
        finish_reason: result.finishReason,
      },
    ],
    usage: toOpenAiUsage(result.usage),
  };
}

/** chat.completion.chunk events: a role delta first, then content and tool-call deltas, then the finish (and usage). */
export function chatChunks(meta: CompletionMeta) {
  const base = { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model };
  const choice = (delta: object, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  return {
    start: () => choice({ role: 'assistant', content: '' }),
    text: (text: string) => choice({ content: text }),
    toolCall: (d: ToolCallDelta) =>
      choice({ tool_calls: [{ index: d.index, ...(d.id ? { id: d.id, type: 'function' } : {}), function: { ...(d.name ? { name: d.name } : {}), arguments: d.arguments } }] }),
    finish: (result: GenerationResult, includeUsage: boolean) => [choice({}, result.finishReason), ...(includeUsage ? [{ ...base, choices: [], usage: toOpenAiUsage(result.usage) }] : [])],
  };
}

export function completionBody(result: GenerationResult, meta: CompletionMeta) {
  return { id: meta.id, object: 'text_completion', created: meta.created, model: meta.model, choices: [{ index: 0, text: result.text, logprobs: null, finish_reason: result.finishReason }], usage: toOpenAiUsage(result.usage) };
}

export function completionChunks(meta: CompletionMeta) {
  const base = { id: meta.id, object: 'text_completion', created: meta.created, model: meta.model };
  return {
    text: (text: string) => ({ ...base, choices: [{ index: 0, text, logprobs: null, finish_reason: null }] }),
    finish: (result: GenerationResult, includeUsage: boolean) => [
      { ...base, choices: [{ index: 0, text: '', logprobs: null, finish_reason: result.finishReason }] },
      ...(includeUsage ? [{ ...base, choices: [], usage: toOpenAiUsage(result.usage) }] : []),
    ],
  };
}
