/** Progress text for one file: "45% 6.1/13.3 GiB  112.0 MB/s  ETA 1m04s". Pure. */
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const formatBytes = (bytes: number) => (bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`);

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatTransfer(bytes: number, size: number, bytesPerSecond: number, width = 20): string {
  const fraction = size > 0 ? Math.min(1, bytes / size) : 1;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const speed = bytesPerSecond > 0 ? `${(bytesPerSecond / 1e6).toFixed(1)} MB/s` : '-- MB/s';
  const eta = bytesPerSecond > 0 ? formatDuration((size - bytes) / bytesPerSecond) : '?';
  return `${bar} ${String(Math.floor(fraction * 100)).padStart(3)}% ${formatBytes(bytes)}/${formatBytes(size)}  ${speed}  ETA ${eta}`;
}

/** Bytes per second over the last few seconds (a moving window, so stalls and bursts show quickly). */
export class RateMeter {
  private samples: [number, number][] = [];
  constructor(private readonly windowMs = 5000) {}
  add(now: number, bytes: number): number {
    this.samples.push([now, bytes]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > this.windowMs) this.samples.shift();
    const [t0, b0] = this.samples[0]!;
    return now > t0 ? ((bytes - b0) * 1000) / (now - t0) : 0;
  }
}
