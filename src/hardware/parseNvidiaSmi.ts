import { computeCapabilityFromName } from './computeCapabilityFromName.js';
import type { Gpu } from './hardwareFacts.js';

/** `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits`; memory in MiB. */
export const NVIDIA_SMI_FIELDS = ['index', 'name', 'memory.total', 'memory.free', 'compute_cap', 'driver_version'] as const;
/** Drivers <= 470 reject `compute_cap` (exit 2, `Field "compute_cap" is not a valid field to query.`). */
export const NVIDIA_SMI_FIELDS_OLD_DRIVER = ['index', 'name', 'memory.total', 'memory.free', 'driver_version'] as const;

export interface NvidiaSmiParse {
  gpus: Gpu[];
  /** Lines or GPUs that could not be used, in words. */
  problems: string[];
}

/** Parses the CSV rows. `withComputeCap: false` for the old-driver query (capability then comes from the name table). */
export function parseNvidiaSmi(stdout: string, options: { withComputeCap: boolean } = { withComputeCap: true }): NvidiaSmiParse {
  const fieldCount = options.withComputeCap ? NVIDIA_SMI_FIELDS.length : NVIDIA_SMI_FIELDS_OLD_DRIVER.length;
  const gpus: Gpu[] = [];
  const problems: string[] = [];
  for (const rawLine of stdout.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    const parts = line.split(',');
    if (parts.length < fieldCount || !/^\d+$/.test(parts[0]!.trim())) {
      problems.push(`unrecognised nvidia-smi line: ${line}`);
      continue;
    }
    // A name may contain commas; every other field cannot, so take them from both ends.
    const tail = parts.slice(parts.length - (fieldCount - 2)).map(cleanValue);
    const name = parts.slice(1, parts.length - (fieldCount - 2)).join(',').trim();
    const [totalText, freeText, ...rest] = tail;
    const capText = options.withComputeCap ? rest[0] : undefined;
    const driverVersion = options.withComputeCap ? rest[1] : rest[0];
    const index = Number(parts[0]);
    const memoryMiB = toMiB(totalText);
    if (memoryMiB === undefined || memoryMiB === 0) {
      problems.push(`GPU ${index} (${name}) reports no total memory; left out`);
      continue;
    }
    const freeMiB = toMiB(freeText);
    const computeCapability = capText !== undefined && /^\d+\.\d+$/.test(capText) ? capText : computeCapabilityFromName(name);
    const gpu: Gpu = { vendor: 'nvidia', name, memoryMiB, index };
    if (freeMiB !== undefined) gpu.freeMiB = freeMiB;
    if (computeCapability !== undefined) gpu.computeCapability = computeCapability;
    if (driverVersion !== undefined) gpu.driverVersion = driverVersion;
    gpus.push(gpu);
  }
  return { gpus, problems };
}

/** The CUDA version the driver supports, from the plain `nvidia-smi` header ("CUDA Version: 12.4"). */
export function parseCudaVersion(text: string): string | undefined {
  return /CUDA Version\s*:\s*(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1];
}

export type NvidiaSmiFailureKind = 'unknown-field' | 'driver-mismatch' | 'no-driver' | 'no-devices' | 'other';

/** Tells apart the ways nvidia-smi fails (it prints its errors on stdout, so pass both streams). */
export function parseNvidiaSmiFailure(output: string, exitCode: number): { kind: NvidiaSmiFailureKind; reason: string } {
  const firstLine = output.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '(no output)';
  if (/is not a valid field to query/i.test(output)) return { kind: 'unknown-field', reason: firstLine };
  if (/driver\/library version mismatch/i.test(output)) {
    return { kind: 'driver-mismatch', reason: 'NVIDIA driver/library version mismatch: the driver was updated but the old kernel module is loaded; reboot (or reload the nvidia module)' };
  }
  if (/couldn't communicate with the NVIDIA driver/i.test(output)) {
    return { kind: 'no-driver', reason: 'nvidia-smi cannot talk to the NVIDIA driver: is it installed and loaded?' };
  }
  if (/No devices were found/i.test(output)) return { kind: 'no-devices', reason: 'nvidia-smi found no NVIDIA GPU' };
  return { kind: 'other', reason: `nvidia-smi exited ${exitCode}: ${firstLine}` };
}

/** "[N/A]", "[Not Supported]", "N/A" and blanks mean unknown. */
function cleanValue(value: string): string | undefined {
  const v = value.trim();
  if (v === '' || v === 'N/A' || /^\[.*\]$/.test(v)) return undefined;
  return v;
}

function toMiB(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}
