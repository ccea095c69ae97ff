import type { HardwareFacts } from '../../hardware/hardwareFacts.js';
import { formatGiB, MiB } from '../../plan/estimateMemory.js';

/** One line: "2x NVIDIA A100 (80.0 GiB); 440.0 GiB RAM; 48 CPU cores". Pure. */
export function describeHardware(facts: HardwareFacts): string {
  const gpus = new Map<string, number>();
  for (const g of facts.gpus) {
    const key = `${g.name} (${formatGiB(g.memoryMiB * MiB)}${g.unified ? ' Metal limit' : ''})`;
    gpus.set(key, (gpus.get(key) ?? 0) + 1);
  }
  const gpuText = gpus.size ? [...gpus].map(([k, n]) => `${n}x ${k}`).join(' + ') : 'no GPU';
  return `${gpuText}; ${formatGiB(facts.memory.totalMiB * MiB)} RAM; ${facts.cpu.cores} CPU cores`;
}
