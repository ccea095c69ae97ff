/** Health reports as text: one line per check with its mark, time and detail, then the verdict. Pure. */
import type { CheckResult, CheckStatus, EndpointReport } from './endpointReport.js';

const MARKS: Record<CheckStatus, string> = { pass: '✔', fail: '✖', warn: '!', skip: '-' };

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

function renderCheck(check: CheckResult, nameWidth: number): string {
  const time = check.status === 'skip' ? '' : formatMs(check.ms);
  return `  ${MARKS[check.status]} ${check.name.padEnd(nameWidth)} ${time.padStart(8)}  ${check.detail}`;
}

export function renderVerdict(report: EndpointReport): string {
  // The failed check above says why; the verdict says what to do.
  if (report.verdict === 'unreachable') return 'unreachable: nothing else was checked (start the server, or wait for it with --wait SECONDS)';
  const failed = report.checks.filter((c) => c.required && c.status === 'fail').map((c) => c.name);
  if (report.verdict === 'unhealthy') return `unhealthy: ${failed.join(', ')} failed`;
  const warned = report.checks.filter((c) => c.status === 'warn').map((c) => c.name);
  const speed = [report.ttftMs === undefined ? '' : `first token ${formatMs(report.ttftMs)}`, report.tokensPerSecond === undefined ? '' : `${report.tokensPerSecond} tokens/s`].filter(Boolean);
  return `healthy: every required check passed${warned.length ? `; warnings: ${warned.join(', ')}` : ''}${speed.length ? ` (${speed.join(', ')})` : ''}`;
}

export function renderHealthReport(report: EndpointReport): string {
  const title = [report.baseUrl, report.model, report.contextLength === undefined ? undefined : `context ${report.contextLength}`].filter(Boolean).join('  ·  ');
  const width = Math.max(...report.checks.map((c) => c.name.length));
  return [title, ...report.checks.map((c) => renderCheck(c, width)), renderVerdict(report)].join('\n');
}

/**
 * For --watch: what changed between two rounds, as lines stamped with `time`: checks whose status changed, and
 * the verdict when it changed. Nothing when nothing changed.
 */
export function renderHealthChanges(previous: EndpointReport, next: EndpointReport, time: string): string[] {
  const before = new Map(previous.checks.map((c) => [c.name, c]));
  const lines: string[] = [];
  for (const check of next.checks) {
    const old = before.get(check.name);
    if (old?.status === check.status) continue;
    lines.push(`${time} ${next.baseUrl} ${check.name}: ${old ? MARKS[old.status] : 'new'} -> ${MARKS[check.status]} ${check.detail}`);
  }
  for (const [name, old] of before) {
    if (!next.checks.some((c) => c.name === name) && old.status !== 'skip') lines.push(`${time} ${next.baseUrl} ${name}: ${MARKS[old.status]} -> not run`);
  }
  if (previous.verdict !== next.verdict) lines.push(`${time} ${next.baseUrl} ${renderVerdict(next)}`);
  return lines;
}
