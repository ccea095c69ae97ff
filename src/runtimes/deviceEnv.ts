import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { PlanCore } from '../planShapes.js';
import { indexedGpus } from '../hardware/indexedGpus.js';

/**
 * Restricts CUDA to the planned GPUs when they are not all of them. nvidia-smi numbers GPUs in PCI order;
 * CUDA, unless told otherwise, fastest first: CUDA_DEVICE_ORDER makes both agree.
 */
export function deviceEnv(plan: PlanCore, facts: HardwareFacts): Record<string, string> {
  if (plan.device !== 'cuda') return {};
  const nvidia = indexedGpus(facts).filter((g) => g.vendor === 'nvidia').map((g) => g.index);
  if (plan.gpus.length === 0 || nvidia.every((i) => plan.gpus.includes(i))) return {};
  return { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: plan.gpus.join(',') };
}
