/** CPU use of the machine and of our processes, from /proc (Linux; zeros elsewhere), to tell our load from others'. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** /proc/stat: all CPU time and idle time, in clock ticks (Linux; zeros elsewhere). */
function cpuTotals(): { idle: number; total: number } {
  if (!existsSync('/proc/stat')) return { idle: 0, total: 0 };
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3]! + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
}

/** Share of the machine's CPU time that was busy over `ms`. */
export async function cpuBusy(ms: number): Promise<number> {
  const a = cpuTotals();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = cpuTotals();
  return b.total > a.total ? 1 - (b.idle - a.idle) / (b.total - a.total) : 0;
}

/** Machine totals plus the CPU ticks of our processes (this one and its children), to tell our load from others'. */
export function cpuSample(pids: number[]): { idle: number; total: number; ours: number } {
  const ticks = (pid: number | 'self') => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  return { ...cpuTotals(), ours: ticks('self') + pids.reduce((n, pid) => n + ticks(pid), 0) };
}

export function cpuUse(a: ReturnType<typeof cpuSample>, b: ReturnType<typeof cpuSample>): { ours: number; others: number } {
  const total = b.total - a.total;
  if (total <= 0) return { ours: 0, others: 0 };
  const busy = total - (b.idle - a.idle);
  const ours = b.ours - a.ours;
  return { ours: ours / total, others: Math.max(0, busy - ours) / total };
}

export function threadCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}
