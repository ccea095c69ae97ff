/** The streaming check: well-formed SSE with JSON chunks ending in `data: [DONE]`, with time to first token and tokens/s. */
import type { CheckOutcome, CompletionTarget } from './probeCompletions.js';
import { httpFailure } from './probeCompletions.js';
import { describeFailure, errorMessage, openRequest, parseJson, truncate } from './sendRequest.js';
import { SseParser, type SseEvent } from './SseParser.js';

export interface StreamOutcome extends CheckOutcome {
  ttftMs?: number;
  tokensPerSecond?: number;
}

interface Chunk {
  error?: unknown;
  choices?: { delta?: { content?: unknown; tool_calls?: unknown[] } }[];
  usage?: { completion_tokens?: unknown };
}

export async function checkStreaming(t: CompletionTarget): Promise<StreamOutcome> {
  const started = performance.now();
  const body = { model: t.model, temperature: 0, messages: [{ role: 'user', content: 'Count from 1 to 10.' }], max_tokens: 32, stream: true, stream_options: { include_usage: true } };
  const open = await openRequest(`${t.baseUrl}/chat/completions`, { apiKey: t.apiKey, timeoutMs: t.timeoutMs, signal: t.signal, body });
  if (open.kind !== 'response') return { status: 'fail', detail: open.reason };
  if (open.status !== 200) {
    const text = await open.response.text().catch(() => '');
    return { status: 'fail', detail: httpFailure(open.status, parseJson(text), text, t.apiKey) };
  }
  if (!/text\/event-stream/i.test(open.contentType)) {
    await open.response.body?.cancel().catch(() => undefined);
    return { status: 'fail', detail: `content-type is ${open.contentType || 'missing'}, not text/event-stream: the server ignored stream: true` };
  }

  let chunks = 0;
  let done = false;
  let tokens = 0;
  let usageTokens: number | undefined;
  let first: number | undefined;
  let last = 0;
  /** Takes parsed events; returns what is wrong with them, if anything. */
  const take = (events: SseEvent[]): string | undefined => {
    for (const e of events) {
      if (e.kind === 'malformed') return `line ${e.line} is not an SSE field: ${JSON.stringify(truncate(e.text, 60))}`;
      if (e.data === '[DONE]') {
        done = true;
        continue;
      }
      const chunk = parseJson(e.data) as Chunk | undefined;
      if (typeof chunk !== 'object' || chunk === null) return `line ${e.line}: the data is not JSON: ${JSON.stringify(truncate(e.data, 60))}`;
      if (chunk.error) return `an error event after ${chunks} chunks: ${errorMessage(chunk, e.data)}`;
      chunks++;
      const delta = chunk.choices?.[0]?.delta;
      if ((typeof delta?.content === 'string' && delta.content !== '') || delta?.tool_calls?.length) {
        last = performance.now();
        first ??= last;
        tokens++;
      }
      if (typeof chunk.usage?.completion_tokens === 'number') usageTokens = chunk.usage.completion_tokens;
    }
    return undefined;
  };

  const parser = new SseParser();
  const decoder = new TextDecoder();
  try {
    for await (const bytes of open.response.body ?? []) {
      const problem = take(parser.push(decoder.decode(bytes as Uint8Array, { stream: true })));
      if (problem) return { status: 'fail', detail: problem };
    }
    const problem = take(parser.end());
    if (problem) return { status: 'fail', detail: problem };
  } catch (error) {
    const failure = describeFailure(error, { timeoutMs: t.timeoutMs, signal: t.signal });
    return { status: 'fail', detail: `the stream broke after ${chunks} chunks: ${failure.reason}` };
  }
  if (!done) return { status: 'fail', detail: `the stream ended after ${chunks} chunks without data: [DONE]` };
  if (first === undefined) return { status: 'warn', detail: `well-formed (${chunks} chunks, [DONE]) but no text` };

  const ttftMs = Math.round(first - started);
  const n = usageTokens ?? tokens;
  const tokensPerSecond = n > 1 && last > first ? Math.round(((n - 1) / ((last - first) / 1000)) * 10) / 10 : undefined;
  const speed = tokensPerSecond === undefined ? '' : `, ${tokensPerSecond} tokens/s`;
  return { status: 'pass', detail: `${chunks} chunks and [DONE]; first token after ${ttftMs} ms${speed}`, ttftMs, ...(tokensPerSecond === undefined ? {} : { tokensPerSecond }) };
}
