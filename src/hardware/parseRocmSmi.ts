import type { Gpu } from './hardwareFacts.js';

const MiB = 1024 * 1024;

export interface RocmSmiParse {
  gpus: Gpu[];
  problems: string[];
}

/**
 * `rocm-smi --showproductname --showmeminfo vram --json`: `{"card0": {"Card series": "…", "VRAM Total Memory (B)": "…"}, "system": {…}}`.
 * Key spelling varies across ROCm releases ("Card series" / "Card Series"), so keys are matched case-insensitively.
 */
export function parseRocmSmi(json: string): RocmSmiParse {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return { gpus: [], problems: ['rocm-smi did not print JSON'] };
  }
  if (doc === null || typeof doc !== 'object') return { gpus: [], problems: ['rocm-smi printed unexpected JSON'] };
  const gpus: Gpu[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const card = /^card(\d+)$/.exec(key);
    if (!card || value === null || typeof value !== 'object') continue;
    const fields = lowerKeys(value as Record<string, unknown>);
    const name = firstKnown(fields, ['card series', 'device name', 'card model', 'card sku']) ?? 'AMD GPU';
    const totalBytes = memoryBytes(fields, 'vram total memory', MiB);
    if (totalBytes === undefined) {
      problems.push(`${key} (${name}) reports no VRAM size; left out`);
      continue;
    }
    const usedBytes = memoryBytes(fields, 'vram total used memory', 0);
    const gpu: Gpu = { vendor: 'amd', name: displayName(name), memoryMiB: Math.floor(totalBytes / MiB), index: Number(card[1]) };
    if (usedBytes !== undefined) gpu.freeMiB = Math.max(0, Math.floor((totalBytes - usedBytes) / MiB));
    gpus.push(gpu);
  }
  return { gpus, problems };
}

/** One /sys/class/drm/cardN/device as read from sysfs (amdgpu exposes VRAM sizes in bytes). */
export interface AmdSysfsCard {
  card: string;
  vendor: string;
  vramTotalBytes?: string;
  vramUsedBytes?: string;
  deviceId?: string;
  productName?: string;
}

/** sysfs fallback when rocm-smi is absent: AMD (vendor 0x1002) cards with a VRAM size. */
export function parseAmdSysfs(cards: readonly AmdSysfsCard[]): Gpu[] {
  const gpus: Gpu[] = [];
  for (const c of cards) {
    const index = /^card(\d+)$/.exec(c.card);
    if (!index || c.vendor.trim().toLowerCase() !== '0x1002') continue;
    const total = Number(c.vramTotalBytes?.trim());
    if (c.vramTotalBytes === undefined || !Number.isFinite(total) || total < MiB) continue;
    const product = c.productName?.trim();
    const name = product ? displayName(product) : `AMD GPU ${c.deviceId?.trim() ?? ''}`.trim();
    const gpu: Gpu = { vendor: 'amd', name, memoryMiB: Math.floor(total / MiB), index: Number(index[1]) };
    const used = Number(c.vramUsedBytes?.trim());
    if (c.vramUsedBytes !== undefined && Number.isFinite(used)) gpu.freeMiB = Math.max(0, Math.floor((total - used) / MiB));
    gpus.push(gpu);
  }
  return gpus;
}

function lowerKeys(record: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(record)) if (typeof v === 'string' || typeof v === 'number') out.set(k.trim().toLowerCase(), String(v).trim());
  return out;
}

function firstKnown(fields: Map<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = fields.get(key);
    if (v !== undefined && v !== '' && v !== 'N/A') return v;
  }
  return undefined;
}

/** "(B)" in bytes on current ROCm; some builds print "(MiB)". Below `min` counts as unknown. */
function memoryBytes(fields: Map<string, string>, prefix: string, min = 1): number | undefined {
  const read = (key: string) => {
    const text = fields.get(key);
    const n = text === undefined || text === '' ? NaN : Number(text);
    return Number.isFinite(n) && n >= min ? n : undefined;
  };
  const mib = read(`${prefix} (mib)`);
  return read(`${prefix} (b)`) ?? (mib === undefined ? undefined : mib * MiB);
}

/** "Navi 31 [Radeon RX 7900 XTX]" -> "AMD Radeon RX 7900 XTX"; names that already say AMD stay as they are. */
function displayName(name: string): string {
  const bracketed = /\[([^\]]+)\]\s*$/.exec(name)?.[1];
  const base = bracketed ?? name;
  if (/^0x/i.test(base)) return `AMD GPU ${base}`;
  return /^AMD\b/i.test(base) ? base : `AMD ${base}`;
}
