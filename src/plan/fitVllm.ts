/** Does an artifact fit on this machine's NVIDIA GPUs under vLLM, and with how much context? Pure. */
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { Artifact, ModelProfile } from '../profiles/modelProfile.js';
import { artifactSize } from './artifactSize.js';
import { GiB, MiB, estimateVllmOverheadPerGpu, formatGiB, kvBytesPerToken, roundContext } from './estimateMemory.js';
import { AGENT_MIN_CONTEXT, type KvCacheType, type PlanMemory, type PlanOptions, type Rejection } from '../planShapes.js';
import type { IndexedGpu } from '../hardware/indexedGpus.js';
import { compareCapability, largestIdenticalGroup, usableGpus } from './selectGpus.js';

export interface VllmFit {
  artifact: Artifact;
  bytes: number;
  bytesEstimated: boolean;
  tp: number;
  /** Pipeline stages: one per node (--nodes), tensor parallel inside each. */
  pp: number;
  gpus: IndexedGpu[];
  utilization: number;
  contextLength: number;
  kv: KvCacheType;
  memory: PlanMemory;
  reasons: string[];
  warnings: string[];
}

const DEFAULT_UTILIZATION = 0.9;
export const MIN_VLLM_CAPABILITY = '7.0';
/** FP8 KV cache: native FP8 on Ada and Hopper and newer. */
const FP8_KV_CAPABILITY = '8.9';

/** Valid tensor-parallel sizes: they must divide both the attention heads and the KV heads. */
export function validTensorParallelSizes(model: ModelProfile, maxGpus: number): number[] {
  const sizes: number[] = [];
  for (let tp = 1; tp <= maxGpus; tp++) {
    if (model.architecture.heads % tp === 0 && model.architecture.kvHeads % tp === 0) sizes.push(tp);
  }
  return sizes;
}

/** The NVIDIA GPUs vLLM would use here, or why it cannot run at all. */
export function vllmGpus(facts: HardwareFacts, options: PlanOptions): IndexedGpu[] | string {
  if (facts.os !== 'linux') return `vLLM runs on Linux with NVIDIA GPUs (on Windows, inside WSL2); this machine runs ${facts.os}`;
  const group = largestIdenticalGroup(usableGpus(facts, options.gpus, ['nvidia']));
  if (group.length === 0) return 'vLLM needs an NVIDIA GPU and none is usable here';
  const capability = group[0]!.computeCapability;
  if (capability !== undefined && compareCapability(capability, MIN_VLLM_CAPABILITY) < 0) {
    return `${group[0]!.name} has compute capability ${capability}; vLLM needs ${MIN_VLLM_CAPABILITY} or newer`;
  }
  return group;
}

export function fitVllm(facts: HardwareFacts, model: ModelProfile, artifact: Artifact, options: PlanOptions): VllmFit | Rejection {
  const size = artifactSize(artifact, model);
  const reject = (reason: string, kind: Rejection['kind'] = 'memory'): Rejection => ({ runtime: 'vllm', artifact: artifact.id, reason, kind, ...(size ? { bytes: size.bytes } : {}) });
  const group = vllmGpus(facts, options);
  if (typeof group === 'string') return reject(group, 'platform');
  const first = group[0]!;
  const capability = first.computeCapability;
  if (artifact.minComputeCapability && capability !== undefined && compareCapability(capability, artifact.minComputeCapability) < 0) {
    return reject(`${artifact.quantization} needs compute capability ${artifact.minComputeCapability}; ${first.name} has ${capability}`, 'platform');
  }
  if (!size) return reject(`the size of ${artifact.id} is unknown and cannot be estimated`, 'platform');

  const sizes = validTensorParallelSizes(model, group.length);
  // Without --tp, every identical GPU: more memory for KV cache and faster decoding than leaving GPUs idle.
  const tp = options.tp !== undefined && sizes.includes(options.tp) ? options.tp : sizes[sizes.length - 1]!;
  if (options.tp !== undefined && options.tp !== tp) return reject(`--tp ${options.tp} is not possible on ${group.length} ${first.name}`, 'platform');
  const gpus = group.slice(0, tp);

  const reasons: string[] = [];
  const warnings: string[] = [];
  if (options.tp === undefined && tp < group.length) {
    reasons.push(`tensor parallel ${tp} on ${tp} of ${group.length} GPUs: the size must divide the ${model.architecture.heads} attention heads and ${model.architecture.kvHeads} KV heads`);
  }
  let utilization = DEFAULT_UTILIZATION;
  const freeFraction = Math.min(...gpus.map((g) => Math.min(g.freeMiB ?? g.memoryMiB, g.memoryMiB) / g.memoryMiB));
  if (freeFraction < utilization + 0.01) {
    // vLLM refuses to start when less than utilization x total is free.
    utilization = Math.floor((freeFraction - 0.02) * 100) / 100;
    if (utilization < 0.5) return reject(`only ${Math.round(freeFraction * 100)}% of the memory of ${first.name} is free: other processes use the rest`);
    warnings.push(`other processes use GPU memory: --gpu-memory-utilization lowered to ${utilization}`);
  }

  // Across nodes, pipeline parallel: each node holds 1/pp of the layers (and of the KV cache), so only activations
  // cross the network between stages; tensor parallel's all-reduce after every layer stays on NVLink/PCIe.
  const pp = options.nodes ?? 1;
  const shards = tp * pp;
  const budgetPerGpu = utilization * first.memoryMiB * MiB;
  const weightsPerGpu = size.bytes / shards;
  const overheadPerGpu = estimateVllmOverheadPerGpu(model.architecture, tp);
  const kvPool = budgetPerGpu - weightsPerGpu - overheadPerGpu;
  const gpuWord = pp > 1 ? `each of ${shards} GPUs (${pp} nodes x ${tp})` : tp === 1 ? 'the GPU' : `each of ${tp} GPUs`;
  if (kvPool <= 0.5 * GiB) {
    return reject(
      `${artifact.quantization} weights need ${formatGiB(weightsPerGpu)} + ${formatGiB(overheadPerGpu)} overhead on ${gpuWord} ` +
        `(TP ${tp}${pp > 1 ? `, PP ${pp}` : ''}); the budget is ${formatGiB(budgetPerGpu)} (${utilization} x ${formatGiB(first.memoryMiB * MiB)})`,
    );
  }

  const wanted = Math.min(options.ctx ?? model.architecture.contextLength, model.architecture.contextLength);
  const minCtx = options.minCtx ?? AGENT_MIN_CONTEXT;
  const fp8Allowed = capability !== undefined && compareCapability(capability, FP8_KV_CAPABILITY) >= 0;
  const fits = (kv: KvCacheType) => Math.min(wanted, roundContext(kvPool / (kvBytesPerToken(model.architecture, kv) / shards)));
  let kv: KvCacheType = 'auto';
  let contextLength = fits('auto');
  // BF16 KV cache keeps full quality; FP8 only when that is what it takes to reach the context asked for.
  if (contextLength < (options.ctx ?? minCtx) && fp8Allowed && fits('fp8') > contextLength) {
    kv = 'fp8';
    contextLength = fits('fp8');
    reasons.push(`FP8 KV cache (compute capability ${capability}) halves the KV memory per token: ${contextLength} tokens fit`);
  }
  if (options.ctx !== undefined && contextLength < options.ctx) {
    return reject(`--ctx ${options.ctx} does not fit: at most ${contextLength} tokens with ${artifact.quantization} on ${gpuWord}`);
  }
  if (options.ctx === undefined && contextLength < minCtx) {
    return reject(`${artifact.quantization} leaves room for only ${contextLength} tokens of context on ${gpuWord}; at least ${minCtx} wanted`);
  }

  const kvCacheBytes = contextLength * kvBytesPerToken(model.architecture, kv);
  reasons.push(
    `${artifact.quantization} weights: ${formatGiB(weightsPerGpu)} per GPU at tensor parallel ${tp}${pp > 1 ? ` x pipeline parallel ${pp}` : ''}, ` +
      `${formatGiB(overheadPerGpu)} overhead, ${formatGiB(kvPool)} left for KV cache of ${formatGiB(budgetPerGpu)} budget ` +
      `(--gpu-memory-utilization ${utilization})`,
  );
  return {
    artifact,
    bytes: size.bytes,
    bytesEstimated: size.estimated,
    tp,
    pp,
    gpus,
    utilization,
    contextLength,
    kv,
    memory: {
      weightsBytes: size.bytes,
      kvCacheBytes: Math.round(kvCacheBytes),
      overheadBytes: overheadPerGpu * shards,
      budgetBytes: Math.round(budgetPerGpu * shards),
      gpuBytes: Math.round(size.bytes + kvCacheBytes + overheadPerGpu * shards),
    },
    reasons,
    warnings,
  };
}

export const isRejection = (x: object): x is Rejection => 'reason' in x;
