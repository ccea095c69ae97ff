/**
 * The engine's request as a Chat Completions body for the server behind the gateway (vLLM, Ollama, llama-server),
 * streamed with usage. System messages are merged into one leading system message, as the engine does for
 * Devstral's template. Pure.
 */
import type { EngineRequest } from '../engine/engineRequest.js';

export function toUpstreamBody(request: EngineRequest, model: string, maxTokens: number | undefined) {
  const system = request.messages.filter((m) => m.role === 'system' && m.content).map((m) => m.content);
  const messages = [
    ...(system.length ? [{ role: 'system', content: system.join('\n\n') }] : []),
    ...request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => {
        if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
        if (m.role === 'assistant') {
          return {
            role: 'assistant',
            content: m.content || (m.toolCalls?.length ? null : ''),
            ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments ?? {}) } })) } : {}),
          };
        }
        return { role: 'user', content: m.content };
      }),
  ];
  const useTools = request.tools.length > 0 && request.toolChoice !== 'none';
  const format = request.responseFormat;
  return {
    model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    ...(useTools
      ? {
          tools: request.tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters } })),
          tool_choice: typeof request.toolChoice === 'object' ? { type: 'function', function: { name: request.toolChoice.name } } : request.toolChoice,
          ...(request.parallelToolCalls ? {} : { parallel_tool_calls: false }),
        }
      : {}),
    ...(format.type === 'json_object' ? { response_format: { type: 'json_object' } } : {}),
    ...(format.type === 'json_schema' ? { response_format: { type: 'json_schema', json_schema: { name: format.name, schema: format.schema } } } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(request.topK !== undefined ? { top_k: request.topK } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.frequencyPenalty !== undefined ? { frequency_penalty: request.frequencyPenalty } : {}),
    ...(request.presencePenalty !== undefined ? { presence_penalty: request.presencePenalty } : {}),
    ...(request.stop.length ? { stop: request.stop } : {}),
    ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
  };
}

/**
 * When an upstream refuses max_tokens because prompt + max_tokens exceed its context (vLLM: "... maximum context
 * length is 32768 tokens. However, you requested 52000 tokens (20000 in the messages, 32000 in the completion)", or
 * "... your request has 20000 input tokens"), the max_tokens that fits; undefined when the message says otherwise.
 */
export function maxTokensThatFit(message: string): number | undefined {
  const context = /maximum context length is (\d+)/i.exec(message)?.[1];
  const prompt = /(\d+) (?:tokens )?in the messages|has (\d+) input tokens|(\d+) input tokens/i.exec(message);
  const promptTokens = prompt ? Number(prompt[1] ?? prompt[2] ?? prompt[3]) : undefined;
  if (!context || promptTokens === undefined) return undefined;
  const room = Number(context) - promptTokens;
  return room >= 1 ? room : undefined;
}
