/** Benchmark tables. Pure. */
import type { LevelSummary, Percentiles } from './summarizeLevel.js';

const ms = (p: Percentiles | null) => (p ? `${p.p50.toFixed(0)}/${p.p90.toFixed(0)}/${p.p99.toFixed(0)}` : '-');
const rate = (p: Percentiles | null) => (p ? `${p.p50.toFixed(1)}/${p.p90.toFixed(1)}/${p.p99.toFixed(1)}` : '-');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function renderBench(levels: LevelSummary[]): string {
  return table(
    ['concurrency', 'requests', 'errors', 'TTFT ms p50/p90/p99', 'ITL ms p50/p90/p99', 'tok/s per req p50/p90/p99', 'tok/s total', 'req/s'],
    levels.map((l) => [String(l.concurrency), String(l.requests), String(l.errors), ms(l.ttftMs), ms(l.interTokenMs), rate(l.perRequestTokensPerSecond), l.aggregateTokensPerSecond.toFixed(1), l.requestsPerSecond.toFixed(2)]),
  );
}

export interface BenchRun {
  time: string;
  url: string;
  model: string;
  workload: string;
  promptTokens: number;
  maxTokens: number;
  levels: LevelSummary[];
}

export function renderHistory(runs: BenchRun[]): string {
  if (runs.length === 0) return 'No benchmark runs yet (run `devstral bench`).';
  return table(
    ['time', 'url', 'model', 'workload', 'concurrency: tok/s total (TTFT p50 ms)'],
    runs.map((r) => [r.time.replace('T', ' ').slice(0, 19), r.url, r.model, r.workload, r.levels.map((l) => `${l.concurrency}: ${l.aggregateTokensPerSecond.toFixed(1)} (${l.ttftMs ? l.ttftMs.p50.toFixed(0) : '-'})`).join(', ')]),
  );
}
