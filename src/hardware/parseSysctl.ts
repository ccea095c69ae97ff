import type { Gpu } from './hardwareFacts.js';

/** Asked in one `sysctl` call; Intel Macs lack some (they print "unknown oid" on stderr and the rest on stdout). */
export const SYSCTL_NAMES = [
  'hw.memsize',
  'machdep.cpu.brand_string',
  'iogpu.wired_limit_mb',
  'hw.perflevel0.physicalcpu',
  'hw.physicalcpu',
  'hw.ncpu',
  'sysctl.proc_translated',
] as const;

export interface SysctlFacts {
  cpu?: { model: string; cores: number; performanceCores?: number };
  memoryTotalMiB?: number;
  /** Apple silicon only: the GPU with its Metal working-set limit. */
  gpu?: Gpu;
  /** Node runs as x64 under Rosetta 2: node-llama-cpp then has no Metal backend. */
  rosetta?: boolean;
}

const GiB_IN_MiB = 1024;

/** Parses `sysctl name…` output ("name: value" lines). */
export function parseSysctl(text: string): SysctlFacts {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([\w.]+)\s*[:=]\s*(.*)$/.exec(line.trim());
    if (m) values.set(m[1]!, m[2]!.trim());
  }
  const int = (name: string) => {
    const v = values.get(name);
    const n = v === undefined || v === '' ? NaN : Number(v);
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  };

  const facts: SysctlFacts = {};
  const memsize = int('hw.memsize');
  if (memsize !== undefined && memsize > 0) facts.memoryTotalMiB = Math.floor(memsize / (1024 * 1024));
  const rosetta = int('sysctl.proc_translated') === 1;
  if (rosetta) facts.rosetta = true;

  const brand = values.get('machdep.cpu.brand_string')?.replace(/\s+/g, ' ').trim() ?? '';
  const perfCores = int('hw.perflevel0.physicalcpu');
  const cores = int('hw.physicalcpu') ?? int('hw.ncpu');
  // Under Rosetta the brand string reads "VirtualApple @ 2.50GHz processor".
  const apple = /^Apple\b/.test(brand) || rosetta;
  if (brand !== '' && cores !== undefined && cores > 0) {
    facts.cpu = { model: brand, cores };
    if (apple && perfCores !== undefined && perfCores > 0) facts.cpu.performanceCores = perfCores;
  }
  if (apple && facts.memoryTotalMiB !== undefined) {
    facts.gpu = {
      vendor: 'apple',
      name: /^Apple\b/.test(brand) ? brand : 'Apple silicon',
      memoryMiB: estimateMetalWorkingSetMiB(facts.memoryTotalMiB, int('iogpu.wired_limit_mb')),
      unified: true,
    };
  }
  return facts;
}

/**
 * How much of unified memory Metal lets the GPU use (recommendedMaxWorkingSetSize), without native code.
 * A user-raised `iogpu.wired_limit_mb` (> 0) is what Metal reports, so it wins (capped at RAM).
 * Otherwise macOS's default: data points from issue threads (reference/runtimes.md 4.3) are
 * 32 GB M1 Max -> 21.8 GB (~67%), 16 GB M3 -> 11.84 GB (~74%), 128 GB M5 Max -> 107.5 GiB (~84%).
 * We take the conservative rule of thumb: 2/3 of RAM up to 36 GiB, 3/4 above.
 */
export function estimateMetalWorkingSetMiB(totalMiB: number, wiredLimitMb?: number): number {
  if (wiredLimitMb !== undefined && wiredLimitMb > 0) return Math.min(wiredLimitMb, totalMiB);
  return Math.floor(totalMiB <= 36 * GiB_IN_MiB ? (totalMiB * 2) / 3 : (totalMiB * 3) / 4);
}
