/**
 * Streams chat completions at each concurrency level and measures what a user gets: time to first token,
 * inter-token latency, tokens/s per request and in aggregate, requests/s, errors.
 */
import { request } from '../net/undici.js';
import { SseParser } from '../health/SseParser.js';
import { summarizeLevel, type LevelSummary, type RequestSample } from './summarizeLevel.js';
import { agentMessages, AGENT_TOOLS, randomPrompt, type Workload } from './workloads.js';

export interface BenchOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  concurrency: number[];
  /** Requests per level. */
  requests: number;
  promptTokens: number;
  maxTokens: number;
  workload: Workload;
  timeoutMs?: number;
  signal?: AbortSignal;
  onLevel?: (summary: LevelSummary) => void;
}

/** A seeded generator, so two runs send the same prompts. */
function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function oneRequest(options: BenchOptions, index: number): Promise<RequestSample> {
  const random = seeded(index + 1);
  const messages = options.workload === 'agent' ? agentMessages(index % 6, random, options.promptTokens) : [{ role: 'user', content: randomPrompt(options.promptTokens, random) }];
  const body = {
    model: options.model,
    messages,
    max_tokens: options.maxTokens,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
    ...(options.workload === 'agent' ? { tools: AGENT_TOOLS, tool_choice: 'auto' } : {}),
  };
  const started = performance.now();
  const sample: RequestSample = { ok: false, gapsMs: [], outputTokens: 0, totalMs: 0 };
  try {
    const response = await request(`${options.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify(body),
      headersTimeout: options.timeoutMs ?? 300_000,
      bodyTimeout: options.timeoutMs ?? 300_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      return { ...sample, error: `HTTP ${response.statusCode}: ${text.slice(0, 120)}`, totalMs: performance.now() - started };
    }
    const parser = new SseParser();
    let last: number | undefined;
    let chunks = 0;
    let usageTokens: number | undefined;
    let done = false;
    const handle = (data: string) => {
      if (data === '[DONE]') return void (done = true);
      const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string; tool_calls?: unknown[] } }[]; usage?: { completion_tokens?: number } };
      if (chunk.usage?.completion_tokens !== undefined) usageTokens = chunk.usage.completion_tokens;
      const delta = chunk.choices?.[0]?.delta;
      if (delta?.content || delta?.tool_calls?.length) {
        const now = performance.now();
        if (last === undefined) sample.ttftMs = now - started;
        else sample.gapsMs.push(now - last);
        last = now;
        chunks++;
      }
    };
    for await (const piece of response.body) {
      for (const event of parser.push(piece.toString())) if (event.kind === 'data') handle(event.data);
    }
    for (const event of parser.end()) if (event.kind === 'data') handle(event.data);
    sample.totalMs = performance.now() - started;
    sample.outputTokens = usageTokens ?? chunks;
    if (!done) return { ...sample, error: 'the stream ended without [DONE]' };
    return { ...sample, ok: true };
  } catch (error) {
    return { ...sample, error: (error as Error).message, totalMs: performance.now() - started };
  }
}

export async function runBench(options: BenchOptions): Promise<LevelSummary[]> {
  const levels: LevelSummary[] = [];
  let index = 0;
  for (const concurrency of options.concurrency) {
    const samples: RequestSample[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(concurrency, options.requests) }, async () => {
        while (next < options.requests && !options.signal?.aborted) {
          next++;
          samples.push(await oneRequest(options, index++));
        }
      }),
    );
    const summary = summarizeLevel(concurrency, samples, performance.now() - started);
    options.onLevel?.(summary);
    levels.push(summary);
  }
  return levels;
}
