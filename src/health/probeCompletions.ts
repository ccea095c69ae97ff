/** The generation checks: a chat completion, a forced tool call and JSON mode, each one small request. */
import type { CheckStatus } from './endpointReport.js';
import { errorMessage, sendRequest, truncate } from './sendRequest.js';

export interface CheckOutcome {
  status: CheckStatus;
  detail: string;
}

export interface CompletionTarget {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  isOllama: () => Promise<boolean>;
}

interface ChatMessage {
  content?: unknown;
  tool_calls?: { function?: { name?: unknown; arguments?: unknown } }[];
}
interface ChatAnswer {
  choices?: { message?: ChatMessage; finish_reason?: unknown }[];
  usage?: { completion_tokens?: unknown };
}

/** The probe tool. Its one parameter is an enum, so a grammar-constrained answer is short even from a weak model. */
export const PROBE_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a city',
    parameters: { type: 'object', properties: { unit: { enum: ['c', 'f'] } }, required: ['unit'] },
  },
} as const;

const JSON_MAX_TOKENS = 64;

type Answer = { ok: true; answer: ChatAnswer; message: ChatMessage; finish: string } | { ok: false; status?: number; reason: string };

export function httpFailure(status: number, json: unknown, text: string, apiKey: string | undefined): string {
  const message = errorMessage(json, text);
  if (status === 401 || status === 403) {
    return apiKey ? `HTTP ${status}: the API key was refused (${message})` : `HTTP ${status}: the server needs an API key: give --api-key or set OPENAI_API_KEY (${message})`;
  }
  return `HTTP ${status}: ${message}`;
}

async function complete(t: CompletionTarget, body: Record<string, unknown>): Promise<Answer> {
  const r = await sendRequest(`${t.baseUrl}/chat/completions`, { apiKey: t.apiKey, timeoutMs: t.timeoutMs, signal: t.signal, body: { model: t.model, temperature: 0, ...body } });
  if (r.kind !== 'response') return { ok: false, reason: r.reason };
  if (r.status !== 200) return { ok: false, status: r.status, reason: httpFailure(r.status, r.json, r.text, t.apiKey) };
  const answer = r.json as ChatAnswer | undefined;
  const choice = answer?.choices?.[0];
  if (!choice?.message) return { ok: false, status: r.status, reason: `the answer has no choices[0].message: ${truncate(r.text, 120)}` };
  return { ok: true, answer: answer!, message: choice.message, finish: typeof choice.finish_reason === 'string' ? choice.finish_reason : 'no finish_reason' };
}

const quote = (text: string) => JSON.stringify(truncate(text, 40));

export async function checkChat(t: CompletionTarget): Promise<CheckOutcome> {
  const a = await complete(t, { messages: [{ role: 'user', content: 'Reply with the word OK.' }], max_tokens: 16 });
  if (!a.ok) return { status: 'fail', detail: a.reason };
  if (typeof a.message.content !== 'string') return { status: 'fail', detail: 'the message has no text content' };
  const tokens = a.answer.usage?.completion_tokens;
  // A model that answers nothing cannot drive an agent, whatever the status code says.
  if (!a.message.content.trim()) return { status: 'fail', detail: `the answer is empty (finish_reason ${a.finish}${typeof tokens === 'number' ? `, ${tokens} tokens` : ''})` };
  return { status: 'pass', detail: `${a.finish}${typeof tokens === 'number' ? `, ${tokens} tokens` : ''}: ${quote(a.message.content)}` };
}

export async function checkToolCall(t: CompletionTarget): Promise<CheckOutcome> {
  const a = await complete(t, {
    messages: [{ role: 'user', content: 'What is the weather in Paris? Call get_weather.' }],
    tools: [PROBE_TOOL],
    tool_choice: 'required',
    max_tokens: 100,
  });
  if (!a.ok) {
    const rejected = a.status === 400 && /tool/i.test(a.reason);
    return { status: 'fail', detail: rejected ? `the server rejects tool_choice "required": ${a.reason}` : a.reason };
  }
  const content = typeof a.message.content === 'string' ? a.message.content : '';
  if (content.includes('[TOOL_CALLS]')) {
    return { status: 'fail', detail: `the tool call leaked into the content as [TOOL_CALLS] text instead of tool_calls: the server does not parse Mistral tool calls (vLLM: --tool-call-parser mistral --enable-auto-tool-choice; llama-server: --jinja): ${quote(content)}` };
  }
  const calls = a.message.tool_calls ?? [];
  if (calls.length === 0) {
    const why = (await t.isOllama()) ? "Ollama's /v1 ignores tool_choice" : 'the server ignores tool_choice';
    return { status: 'fail', detail: `answered with text instead of a tool call although tool_choice is "required" (${why}): ${quote(content)}` };
  }
  for (const call of calls) {
    const name = call.function?.name;
    const args = call.function?.arguments;
    if (name !== PROBE_TOOL.function.name) return { status: 'fail', detail: `called ${JSON.stringify(name)}, not the one tool offered (get_weather)` };
    const parsed = typeof args === 'string' ? parseObject(args) : undefined;
    if (!parsed) return { status: 'fail', detail: `the arguments are not a JSON object: ${quote(String(args))}` };
  }
  const first = calls[0]!.function!;
  return { status: 'pass', detail: `${String(first.name)}(${truncate(String(first.arguments), 60)})${calls.length > 1 ? ` and ${calls.length - 1} more` : ''}` };
}

/** JSON mode is optional for agents, so every problem here is a warning. */
export async function checkJsonMode(t: CompletionTarget): Promise<CheckOutcome> {
  const a = await complete(t, {
    messages: [
      { role: 'system', content: 'Answer with a JSON object only.' },
      { role: 'user', content: 'Return {"ok": true}.' },
    ],
    response_format: { type: 'json_object' },
    max_tokens: JSON_MAX_TOKENS,
  });
  if (!a.ok) return { status: 'warn', detail: `JSON mode (response_format json_object) failed: ${a.reason}` };
  const content = typeof a.message.content === 'string' ? a.message.content : '';
  if (parseObject(content)) return { status: 'pass', detail: `a JSON object: ${quote(content.trim())}` };
  if (a.finish === 'length') return { status: 'warn', detail: `cut at max_tokens ${JSON_MAX_TOKENS} before the JSON ended: ${quote(content)}` };
  return { status: 'warn', detail: `the content is not a JSON object: ${quote(content)}` };
}

function parseObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
