/** How much GPU memory and RAM a llama.cpp-style plan may use on this machine. Pure. */
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import { MiB } from './estimateMemory.js';
import type { Device, PlanOptions } from '../planShapes.js';
import type { IndexedGpu } from '../hardware/indexedGpus.js';
import { usableGpus } from './selectGpus.js';

export interface MemoryBudget {
  gpus: IndexedGpu[];
  device: Device;
  /** Bytes the runtime may place on the GPUs, after padding for the driver and the display. */
  gpuBytes: number;
  /** Bytes the runtime may take in RAM; with unified memory this also holds the GPU part. */
  ramBytes: number;
  unified: boolean;
  /** GPU memory other processes hold (total minus free), in bytes. */
  busyBytes: number;
}

/** Each extra GPU in a llama.cpp split needs its own compute buffers. */
const PER_EXTRA_GPU_MiB = 300;

/**
 * Padding per GPU like node-llama-cpp's default (8% of VRAM, at most 1.2 GiB). macOS runs llama.cpp on
 * Metal only with Apple silicon (an Intel Mac's GPU is not used); elsewhere one vendor's GPUs at a time,
 * the vendor with the most memory.
 */
export function estimateMemoryBudget(facts: HardwareFacts, options: PlanOptions): MemoryBudget {
  const all = usableGpus(facts, options.gpus).filter((g) => (facts.os === 'darwin') === (g.vendor === 'apple'));
  const byVendor = new Map<string, IndexedGpu[]>();
  for (const gpu of all) byVendor.set(gpu.vendor, [...(byVendor.get(gpu.vendor) ?? []), gpu]);
  let gpus: IndexedGpu[] = [];
  let best = 0;
  for (const group of byVendor.values()) {
    const total = group.reduce((sum, g) => sum + g.memoryMiB, 0);
    if (total > best) [gpus, best] = [group, total];
  }
  const free = (g: IndexedGpu) => Math.min(g.freeMiB ?? g.memoryMiB, g.memoryMiB);
  const gpuMiB =
    gpus.reduce((sum, g) => sum + Math.max(0, free(g) - Math.min(0.08 * g.memoryMiB, 1228.8)), 0) - PER_EXTRA_GPU_MiB * Math.max(0, gpus.length - 1);
  const { totalMiB, availableMiB } = facts.memory;
  // A detected machine tells what is free now; a profile only its size, so leave room for the OS and apps.
  const ramMiB = availableMiB !== undefined ? Math.min(availableMiB, totalMiB) - 1024 : totalMiB - Math.max(3072, 0.125 * totalMiB);
  const vendor = gpus[0]?.vendor;
  const device: Device = vendor === 'apple' ? 'metal' : vendor === 'nvidia' ? 'cuda' : vendor === undefined ? 'cpu' : 'vulkan';
  return {
    gpus,
    device,
    gpuBytes: Math.max(0, gpuMiB) * MiB,
    ramBytes: Math.max(0, ramMiB) * MiB,
    unified: gpus.some((g) => g.unified === true),
    busyBytes: gpus.reduce((sum, g) => sum + (g.memoryMiB - free(g)), 0) * MiB,
  };
}
