import type { Gpu } from './hardwareFacts.js';

/**
 * Applies CUDA_VISIBLE_DEVICES the way CUDA does for a numeric list: only those indices, and the list
 * ends at the first entry that is not a valid index. "" or "-1" hides every GPU. UUID lists
 * ("GPU-…", "MIG-…") are not filtered: nvidia-smi's index cannot be matched to them here.
 */
export function filterVisibleGpus(gpus: readonly Gpu[], cudaVisibleDevices: string | undefined): Gpu[] {
  if (cudaVisibleDevices === undefined) return [...gpus];
  const entries = cudaVisibleDevices.split(',').map((s) => s.trim());
  if (entries.some((e) => /^(GPU|MIG)-/i.test(e))) return [...gpus];
  const visible: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) break;
    const index = Number(entry);
    if (!gpus.some((g) => g.index === index) || visible.includes(index)) break;
    visible.push(index);
  }
  return visible.map((i) => gpus.find((g) => g.index === i)!);
}
