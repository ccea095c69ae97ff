import type { GpuVendor, HardwareFacts } from '../hardware/hardwareFacts.js';
import { indexedGpus, type IndexedGpu } from '../hardware/indexedGpus.js';

/** The GPUs the user allows (all by default). */
export function usableGpus(facts: HardwareFacts, allowed?: number[], vendors?: GpuVendor[]): IndexedGpu[] {
  return indexedGpus(facts)
    .filter((gpu) => (allowed === undefined || allowed.includes(gpu.index)) && (vendors === undefined || vendors.includes(gpu.vendor)));
}

/**
 * Tensor parallelism splits work evenly, so it needs identical GPUs: the largest group of GPUs with the
 * same name and memory (ties go to the newer architecture, then to more memory per GPU).
 */
export function largestIdenticalGroup(gpus: IndexedGpu[]): IndexedGpu[] {
  const groups = new Map<string, IndexedGpu[]>();
  for (const gpu of gpus) {
    const key = `${gpu.name}\u0000${gpu.memoryMiB}`;
    groups.set(key, [...(groups.get(key) ?? []), gpu]);
  }
  let best: IndexedGpu[] = [];
  for (const group of groups.values()) {
    if (group.length !== best.length) {
      if (group.length > best.length) best = group;
      continue;
    }
    const newer = compareCapability(group[0]!.computeCapability ?? '0.0', best[0]!.computeCapability ?? '0.0');
    if (newer > 0 || (newer === 0 && group[0]!.memoryMiB > best[0]!.memoryMiB)) best = group;
  }
  return best;
}

export function compareCapability(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
