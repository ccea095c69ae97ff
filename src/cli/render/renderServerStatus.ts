/** `devstral status`: the table and the JSON shape. Pure. */
import type { ServerProbe } from '../../supervise/probeServer.js';
import type { ServerRecord } from '../../supervise/registry.js';

export interface ServerStatus {
  record: ServerRecord;
  probe: ServerProbe;
}

export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

const uptimeMs = (record: ServerRecord, now: Date) => now.getTime() - Date.parse(record.startedAt);

/** The record without its API key (a flag says whether one is needed), plus state, detail and uptime. */
export function toStatusJson(statuses: ServerStatus[], now: Date): object[] {
  return statuses.map(({ record, probe }) => {
    const { apiKey, ...rest } = record;
    return { ...rest, requiresApiKey: Boolean(apiKey), state: probe.state, detail: probe.detail, uptimeSeconds: Math.max(0, Math.floor(uptimeMs(record, now) / 1000)) };
  });
}

export function renderServerStatus(statuses: ServerStatus[], now: Date): string {
  if (statuses.length === 0) return 'No servers running (start one with `devstral up`).';
  const rows = [
    ['NAME', 'RUNTIME', 'STATE', 'PID', 'URL', 'MODEL', 'UPTIME'],
    ...statuses.map(({ record: r, probe }) => [
      r.name,
      r.runtime,
      probe.state,
      r.reused ? (r.pid > 0 ? `${r.pid} (reused)` : 'reused') : String(r.pid),
      r.baseUrl,
      r.servedModel,
      probe.state === 'dead' ? '-' : formatUptime(uptimeMs(r, now)),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  const notes = statuses.flatMap(({ record: r, probe }) => {
    if (probe.state === 'dead') return [`${r.name}: the process is gone; its record was removed (log: ${r.logPath})`];
    if (probe.state === 'unhealthy') return [`${r.name}: ${probe.detail}; see \`devstral logs ${r.name}\``];
    return [];
  });
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
