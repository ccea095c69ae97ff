/**
 * Engine messages -> node-llama-cpp chat history: assistant tool calls become function calls whose results are
 * the matching tool messages, so the GGUF's chat template renders Devstral's own format. System messages, wherever
 * they are (Claude Code sends one after the user turn, Codex several developer messages), are merged in order into
 * the one leading system prompt that Devstral's template accepts. Pure.
 */
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from 'node-llama-cpp';
import { invalidRequest } from '../apiError.js';
import type { EngineMessage } from './engineRequest.js';

export function toChatHistory(messages: readonly EngineMessage[]): ChatHistoryItem[] {
  const system = messages.filter((m) => m.role === 'system' && m.content).map((m) => m.content);
  const history: ChatHistoryItem[] = system.length ? [{ type: 'system', text: system.join('\n\n') }] : [];
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
        break;
      case 'user': {
        // Consecutive user turns (a tool result's text next to a new question) are one turn.
        const last = history.at(-1);
        if (last?.type === 'user') last.text += `\n\n${message.content}`;
        else history.push({ type: 'user', text: message.content });
        break;
      }
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
          throw invalidRequest(`messages[${i}]: a tool result must answer a tool call of an earlier assistant message (unknown id "${message.toolCallId}")`, `messages[${i}].tool_call_id`);
        }
        call.result = message.content;
        pending.delete(message.toolCallId!);
        break;
      }
    }
  });
  // A call the client has not answered yet cannot be rendered; OpenAI and Anthropic reject it too.
  if (pending.size) {
    const id = [...pending.keys()][0];
    throw invalidRequest(`an assistant tool call (id "${id}") has no tool result after it`, 'messages');
  }
  return history;
}
