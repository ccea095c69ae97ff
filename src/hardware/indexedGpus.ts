/** GPUs with their index (as nvidia-smi numbers them: the listed one, else the position). Pure. */
import type { Gpu, HardwareFacts } from './hardwareFacts.js';

export interface IndexedGpu extends Gpu {
  index: number;
}

export const indexedGpus = (facts: HardwareFacts): IndexedGpu[] => facts.gpus.map((gpu, position) => ({ ...gpu, index: gpu.index ?? position }));
