/** Percentiles and rates of one concurrency level. Pure. */
export interface RequestSample {
  ok: boolean;
  error?: string;
  /** ms from sending to the first content token. */
  ttftMs?: number;
  /** ms between consecutive content chunks. */
  gapsMs: number[];
  outputTokens: number;
  /** ms from sending to the end of the response. */
  totalMs: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
}

export interface LevelSummary {
  concurrency: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  ttftMs: Percentiles | null;
  interTokenMs: Percentiles | null;
  /** Output tokens/s of each request, after its first token. */
  perRequestTokensPerSecond: Percentiles | null;
  aggregateTokensPerSecond: number;
  requestsPerSecond: number;
  wallMs: number;
}

export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: at(50), p90: at(90), p99: at(99) };
}

export function summarizeLevel(concurrency: number, samples: RequestSample[], wallMs: number): LevelSummary {
  const ok = samples.filter((s) => s.ok);
  const rates = ok.filter((s) => s.ttftMs !== undefined && s.totalMs > s.ttftMs && s.outputTokens > 1).map((s) => ((s.outputTokens - 1) * 1000) / (s.totalMs - s.ttftMs!));
  const tokens = ok.reduce((sum, s) => sum + s.outputTokens, 0);
  return {
    concurrency,
    requests: samples.length,
    errors: samples.length - ok.length,
    errorSamples: [...new Set(samples.filter((s) => !s.ok).map((s) => s.error ?? 'error'))].slice(0, 3),
    ttftMs: percentiles(ok.flatMap((s) => (s.ttftMs === undefined ? [] : [s.ttftMs]))),
    interTokenMs: percentiles(ok.flatMap((s) => s.gapsMs)),
    perRequestTokensPerSecond: percentiles(rates),
    aggregateTokensPerSecond: wallMs > 0 ? (tokens * 1000) / wallMs : 0,
    requestsPerSecond: wallMs > 0 ? (ok.length * 1000) / wallMs : 0,
    wallMs,
  };
}
