/** Linux's /proc/cpuinfo and /proc/meminfo: what systeminformation reads there, without loading it (~80 ms). Pure. */

/** The CPU model and its physical cores (distinct physical id + core id pairs; logical CPUs where those are absent). */
export function parseCpuinfo(text: string): { model: string; cores: number } | undefined {
  const blocks = text.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b));
  if (blocks.length === 0) return undefined;
  const field = (block: string, name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1]?.trim();
  const model = field(blocks[0]!, 'model name') ?? field(blocks[0]!, 'Model') ?? field(blocks[0]!, 'Hardware') ?? '';
  const pairs = new Set(blocks.map((b) => `${field(b, 'physical id') ?? ''}/${field(b, 'core id') ?? ''}`));
  const known = blocks.every((b) => field(b, 'core id') !== undefined);
  return { model, cores: known ? pairs.size : blocks.length };
}

/** MemTotal and MemAvailable in MiB. */
export function parseMeminfo(text: string): { totalMiB: number; availableMiB?: number } | undefined {
  const kib = (name: string) => {
    const m = new RegExp(`^${name}:\\s*(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const total = kib('MemTotal');
  if (!total) return undefined;
  const available = kib('MemAvailable');
  return { totalMiB: Math.floor(total / 1024), ...(available !== undefined ? { availableMiB: Math.floor(available / 1024) } : {}) };
}
