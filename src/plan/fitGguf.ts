/** Where a GGUF's layers and KV cache go under llama.cpp (and Ollama, which runs llama.cpp). Pure. */
import type { ModelProfile } from '../profiles/modelProfile.js';
import { GiB, estimateLayerBytes, estimateLlamaCppOverhead, kvBytesPerToken, roundContext } from './estimateMemory.js';
import type { MemoryBudget } from './memoryBudget.js';
import type { KvCacheType, PlanMemory } from '../planShapes.js';

/** Ollama's runner and its pessimistic graph estimate take more than llama.cpp alone. */
export const OLLAMA_EXTRA_OVERHEAD = 0.5 * GiB;

export interface GgufPlacement {
  contextLength: number;
  gpuLayers: number;
  kv: KvCacheType;
  memory: PlanMemory;
}

interface Sizes {
  weights: number;
  overhead: number;
  layers: number;
  layerBytes: number;
  kvPerToken: number;
}

function sizes(model: ModelProfile, weights: number, kv: KvCacheType, extraOverhead: number): Sizes {
  const arch = model.architecture;
  return {
    weights,
    overhead: estimateLlamaCppOverhead(arch) + extraOverhead,
    layers: arch.layers,
    layerBytes: estimateLayerBytes(arch, weights),
    kvPerToken: kvBytesPerToken(arch, kv),
  };
}

/** The largest context with every layer on the GPU (0 when the weights alone do not fit). */
export function maxFullOffloadContext(model: ModelProfile, weights: number, kv: KvCacheType, budget: MemoryBudget, extraOverhead = 0): number {
  const s = sizes(model, weights, kv, extraOverhead);
  let room = budget.gpuBytes - s.weights - s.overhead;
  if (budget.unified) room = Math.min(room, budget.ramBytes - s.weights - s.overhead);
  return room <= 0 ? 0 : roundContext(room / s.kvPerToken);
}

/** The largest context with everything in RAM on the CPU. */
export function maxCpuContext(model: ModelProfile, weights: number, kv: KvCacheType, budget: MemoryBudget, extraOverhead = 0): number {
  const s = sizes(model, weights, kv, extraOverhead);
  const room = budget.ramBytes - s.weights - s.overhead;
  return room <= 0 ? 0 : roundContext(room / s.kvPerToken);
}

/**
 * Places a fixed context: all layers on the GPU if they fit, otherwise as many as fit (each layer takes its
 * weights and its share of the KV cache), the rest in RAM. Undefined when even that does not fit.
 */
export function placeGguf(
  model: ModelProfile,
  weights: number,
  kv: KvCacheType,
  contextLength: number,
  budget: MemoryBudget,
  extraOverhead = 0,
): GgufPlacement | undefined {
  const s = sizes(model, weights, kv, extraOverhead);
  const kvBytes = s.kvPerToken * contextLength;
  const total = s.weights + kvBytes + s.overhead;
  const memory = (gpuBytes: number, ramBytes: number): PlanMemory => ({
    weightsBytes: Math.round(s.weights),
    kvCacheBytes: Math.round(kvBytes),
    overheadBytes: Math.round(s.overhead),
    // The budget of the memory the plan uses: the GPU's when everything is on it, RAM's when nothing is.
    budgetBytes: Math.round(
      gpuBytes >= total ? budget.gpuBytes : gpuBytes === 0 || budget.unified ? budget.ramBytes : budget.gpuBytes + budget.ramBytes,
    ),
    ...(gpuBytes > 0 ? { gpuBytes: Math.round(gpuBytes) } : {}),
    ramBytes: Math.round(ramBytes),
  });
  if (budget.unified && total > budget.ramBytes) return undefined;
  if (budget.gpus.length > 0 && total <= budget.gpuBytes) {
    return { contextLength, gpuLayers: s.layers, kv, memory: memory(total, budget.unified ? total : 0) };
  }
  const perLayer = s.layerBytes + kvBytes / s.layers;
  const gpuLayers = budget.gpus.length === 0 ? 0 : Math.max(0, Math.min(s.layers - 1, Math.floor((budget.gpuBytes - s.overhead) / perLayer)));
  const onGpu = gpuLayers === 0 ? 0 : gpuLayers * perLayer + s.overhead;
  const inRam = total - onGpu;
  if (!budget.unified && inRam > budget.ramBytes) return undefined;
  return { contextLength, gpuLayers, kv, memory: memory(onGpu, budget.unified ? total : inRam) };
}
