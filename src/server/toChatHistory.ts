/**
 * OpenAI messages -> node-llama-cpp chat history: assistant tool calls become function calls whose results are
 * the matching tool messages, so the GGUF's chat template renders Devstral's own format. Pure.
 */
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from 'node-llama-cpp';
import { invalidRequest } from './openAiError.js';
import type { ChatRequest } from './parseChatRequest.js';

type Message = ChatRequest['messages'][number];

export function toChatHistory(messages: readonly Message[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const pending = new Map<string, ChatModelFunctionCall>();
  const lastModel = (): ChatModelResponse => {
    const last = history.at(-1);
    if (last?.type === 'model') return last;
    const item: ChatModelResponse = { type: 'model', response: [] };
    history.push(item);
    return item;
  };
  messages.forEach((message, i) => {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: message.content });
        break;
      case 'user':
        history.push({ type: 'user', text: message.content });
        break;
      case 'assistant': {
        const model = lastModel();
        if (message.content) model.response.push(message.content);
        for (const call of message.toolCalls ?? []) {
          const item: ChatModelFunctionCall = { type: 'functionCall', name: call.name, params: call.arguments, result: undefined, startsNewChunk: model.response.length === 0 || undefined };
          pending.set(call.id, item);
          model.response.push(item);
        }
        break;
      }
      case 'tool': {
        const call = message.toolCallId === undefined ? undefined : pending.get(message.toolCallId);
        if (!call) {
          throw invalidRequest(`messages[${i}]: a tool message must answer a tool_call of an earlier assistant message (unknown tool_call_id "${message.toolCallId}")`, `messages[${i}].tool_call_id`);
        }
        call.result = message.content;
        pending.delete(message.toolCallId!);
        break;
      }
    }
  });
  // A call the client has not answered yet cannot be rendered; OpenAI rejects it too.
  if (pending.size) {
    const id = [...pending.keys()][0];
    throw invalidRequest(`an assistant tool_call (id "${id}") has no tool message with its result`, 'messages');
  }
  return history;
}
