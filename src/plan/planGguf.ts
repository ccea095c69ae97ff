/** Chooses the GGUF, KV cache type, context and GPU layers for llama.cpp or Ollama. Pure. */
import type { Artifact, ModelProfile } from '../profiles/modelProfile.js';
import { artifactSize } from './artifactSize.js';
import { estimateLlamaCppOverhead, formatGiB, formatParameters, kvBytesPerToken } from './estimateMemory.js';
import { OLLAMA_EXTRA_OVERHEAD, maxCpuContext, maxFullOffloadContext, placeGguf, type GgufPlacement } from './fitGguf.js';
import type { MemoryBudget } from './memoryBudget.js';
import { AGENT_MIN_CONTEXT, type KvCacheType, type PlanOptions, type Rejection } from '../planShapes.js';
import { MIN_GOOD_BITS } from './quantization.js';
import { artifactBits, selectArtifacts } from './selectArtifacts.js';

export interface GgufFit extends GgufPlacement {
  artifact: Artifact;
  bytes: number;
  bytesEstimated: boolean;
  reasons: string[];
  warnings: string[];
}

/** Long prompts on a CPU take minutes to process: keep the default context modest there. */
export const CPU_DEFAULT_CONTEXT = 32768;
/** Below this, contexts are too small even for a short agent session. */
const SMALLEST_USEFUL_CONTEXT = 4096;
const KV_TYPES: KvCacheType[] = ['f16', 'q8_0'];
/**
 * Weights read from RAM for every token, above which a plan is refused: decoding reads each weight once per token,
 * and at a desktop's 60-100 GB/s this much takes over half a second a token (a 500-token answer takes minutes).
 */
export const MAX_RAM_WEIGHTS = 32 * 1024 ** 3;

interface Candidate {
  artifact: Artifact;
  bytes: number;
  bytesEstimated: boolean;
  bits: number;
  good: boolean;
}

type Outcome = { fit: GgufFit } | { rejections: Rejection[] };

function candidates(model: ModelProfile, runtime: 'llamacpp' | 'ollama', options: PlanOptions, rejections: Rejection[]): Candidate[] {
  return selectArtifacts(model, runtime, options)
    .filter((a) => a.format === 'gguf' && (runtime === 'llamacpp' ? /^(hf|file):/.test(a.source) : a.ollama !== undefined))
    .flatMap((artifact) => {
      const size = artifactSize(artifact, model);
      if (!size) {
        rejections.push({ runtime, artifact: artifact.id, reason: `the size of ${artifact.id} is unknown and cannot be estimated from "${artifact.quantization}"`, kind: 'platform' });
        return [];
      }
      const bits = artifactBits(model, artifact);
      return [{ artifact, bytes: size.bytes, bytesEstimated: size.estimated, bits, good: bits >= MIN_GOOD_BITS - 0.01 }];
    })
    // Official files first (community ones only when none fits), then best quality, then the smaller file.
    .sort((a, b) => Number(b.artifact.official) - Number(a.artifact.official) || b.bits - a.bits || a.bytes - b.bytes);
}

const smallestFirst = (pool: Candidate[]) => [...pool].sort((a, b) => Number(b.artifact.official) - Number(a.artifact.official) || a.bytes - b.bytes);

/** The largest context (a multiple of 1024, at most `limit`) that placeGguf can place; 0 if none. */
function maxPlacedContext(model: ModelProfile, bytes: number, kv: KvCacheType, budget: MemoryBudget, extra: number, limit: number): number {
  let lo = 0;
  let hi = Math.floor(limit / 1024);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (placeGguf(model, bytes, kv, mid * 1024, budget, extra)) lo = mid;
    else hi = mid - 1;
  }
  return lo * 1024;
}

export function planGguf(model: ModelProfile, budget: MemoryBudget, options: PlanOptions, runtime: 'llamacpp' | 'ollama'): Outcome {
  const rejections: Rejection[] = [];
  const all = candidates(model, runtime, options, rejections);
  if (all.length === 0) {
    if (rejections.length === 0) rejections.push({ runtime, reason: `no GGUF for ${runtime} in the ${model.id} profile${options.quant ? ` with quantization ${options.quant}` : ''}`, kind: 'platform' });
    return { rejections };
  }
  const extra = runtime === 'ollama' ? OLLAMA_EXTRA_OVERHEAD : 0;
  const arch = model.architecture;
  const modelCtx = arch.contextLength;
  const minCtx = Math.min(options.minCtx ?? AGENT_MIN_CONTEXT, modelCtx);
  const wanted = options.ctx ?? minCtx;
  const good = all.filter((c) => c.good);
  const low = all.filter((c) => !c.good);
  const hasGpu = budget.gpus.length > 0;
  const gpuWhere = budget.unified ? `the ${formatGiB(budget.gpuBytes)} usable of the Metal working set` : `${formatGiB(budget.gpuBytes)} of free GPU memory`;
  // Too slow for an agent with this much of the file in RAM: said once per file in the refusal.
  const slow = new Set<string>();
  const tooSlow = (c: Candidate, gpuLayers: number) => {
    const inRam = (c.bytes * (arch.layers - gpuLayers)) / arch.layers;
    if (inRam <= MAX_RAM_WEIGHTS) return false;
    if (!slow.has(c.artifact.id)) {
      slow.add(c.artifact.id);
      rejections.push({ runtime, artifact: c.artifact.id, bytes: c.bytes, reason: `${c.artifact.quantization} would read ${formatGiB(inRam)} of weights from RAM for every token: about a token per second at best, too slow for a coding agent`, kind: 'memory' });
    }
    return true;
  };
  const needed = (c: Candidate, ctx: number) => c.bytes + kvBytesPerToken(arch, 'q8_0') * ctx + estimateLlamaCppOverhead(arch) + extra;

  const done = (c: Candidate, placement: GgufPlacement, reasons: string[], warnings: string[] = []): { fit: GgufFit } => {
    // The two best files passed over, and why: enough to explain the choice without listing every file.
    const passedOver = rejections.filter((r) => r.artifact !== c.artifact.id).slice(0, 2).map((r) => `not ${r.artifact}: ${r.reason}`);
    const all = [...warnings];
    if (!c.good) all.push(`${c.artifact.quantization} is below Q4_K_M: noticeably weaker code and tool calls; nothing better fits here`);
    if (placement.gpuLayers > 0 && placement.gpuLayers < arch.layers) {
      all.push(`partial offload: ${arch.layers - placement.gpuLayers} of ${arch.layers} layers run on the CPU from RAM, so generation is several times slower than with the whole model on the GPU`);
    }
    return { fit: { artifact: c.artifact, bytes: c.bytes, bytesEstimated: c.bytesEstimated, ...placement, reasons: [...passedOver, ...reasons], warnings: all } };
  };

  // 1. Everything on the GPU with at least the wanted context: the best quantization that allows it.
  const fullOffload = (pool: Candidate[]) => {
    for (const c of pool) {
      for (const kv of KV_TYPES) {
        const max = Math.min(maxFullOffloadContext(model, c.bytes, kv, budget, extra), modelCtx);
        if (max >= wanted) {
          const placement = placeGguf(model, c.bytes, kv, options.ctx ?? max, budget, extra)!;
          const why = [`${c.artifact.quantization} (${formatGiB(c.bytes)}) fits entirely in ${gpuWhere} with ${placement.contextLength} tokens of context`];
          if (kv === 'q8_0') why.push(`q8_0 KV cache (half of f16) is what makes ${placement.contextLength} tokens fit`);
          return done(c, placement, why);
        }
        if (kv === 'q8_0') {
          const reason = max > 0 ? `${c.artifact.quantization} fits in ${gpuWhere} with only ${max} tokens of context (q8_0 KV); ${wanted} wanted` : `${c.artifact.quantization} (${formatGiB(c.bytes)}) does not fit in ${gpuWhere}`;
          rejections.push({ runtime, artifact: c.artifact.id, bytes: c.bytes, reason, kind: 'memory' });
        }
      }
    }
    return undefined;
  };

  // 2. Split between GPU and CPU at the wanted context: the smallest good file, since CPU layers set the pace.
  const partialOffload = (pool: Candidate[]) => {
    for (const c of smallestFirst(pool)) {
      const placement = placeGguf(model, c.bytes, 'q8_0', wanted, budget, extra);
      if (placement && placement.gpuLayers > 0 && tooSlow(c, placement.gpuLayers)) continue;
      if (placement && placement.gpuLayers > 0) {
        return done(c, placement, [
          `${c.artifact.quantization} (${formatGiB(c.bytes)}) with ${wanted} tokens does not fit in ${gpuWhere}: ${placement.gpuLayers} of ${arch.layers} layers go on the GPU`,
          'q8_0 KV cache keeps more layers on the GPU',
        ]);
      }
      const where = budget.unified ? `${formatGiB(budget.ramBytes)} of unified memory` : `${formatGiB(budget.gpuBytes)} of GPU memory + ${formatGiB(budget.ramBytes)} of RAM`;
      rejections.push({ runtime, artifact: c.artifact.id, bytes: c.bytes, reason: `${c.artifact.quantization} with ${wanted} tokens needs ${formatGiB(needed(c, wanted))}; ${where} available`, kind: 'memory' });
    }
    return undefined;
  };

  // 3. CPU only: the smallest good file (memory bandwidth sets the speed), context capped for prompt speed.
  const cpuOnly = (pool: Candidate[]) => {
    for (const c of smallestFirst(pool)) {
      if (tooSlow(c, 0)) continue;
      for (const kv of KV_TYPES) {
        const max = Math.min(maxCpuContext(model, c.bytes, kv, budget, extra), modelCtx);
        if (max < wanted) continue;
        const cap = Math.max(CPU_DEFAULT_CONTEXT, minCtx);
        const ctx = options.ctx ?? Math.min(max, cap);
        const reasons = [options.localFile ? `${c.artifact.quantization} (${formatGiB(c.bytes)}): the file given with --model, on the CPU` : `${c.artifact.quantization} (${formatGiB(c.bytes)}) is the smallest good quantization: on a CPU, speed is set by memory bandwidth`];
        if (options.ctx === undefined && max > cap) reasons.push(`context capped at ${cap} (up to ${max} would fit): long prompts take minutes on a CPU; raise it with --ctx`);
        if (kv === 'q8_0') reasons.push('q8_0 KV cache (half of f16) is what makes the context fit in RAM');
        const why = hasGpu ? 'the GPU has no room for the model' : 'no usable GPU';
        // Billions of parameters are slow on a CPU; a small model is not.
        const slow = arch.parameters >= 3e9 ? [`${why}: a ${formatParameters(arch.parameters)} model on the CPU generates a few tokens per second at best`] : [];
        return done(c, placeGguf(model, c.bytes, kv, ctx, { ...budget, gpus: [] }, extra)!, reasons, slow);
      }
      rejections.push({ runtime, artifact: c.artifact.id, bytes: c.bytes, reason: `${c.artifact.quantization} with ${wanted} tokens needs ${formatGiB(needed(c, wanted))}; ${formatGiB(budget.ramBytes)} of RAM available`, kind: 'memory' });
    }
    return undefined;
  };

  const chosen = hasGpu
    ? (fullOffload(good) ?? partialOffload(good) ?? fullOffload(low) ?? partialOffload(low) ?? cpuOnly(good) ?? cpuOnly(low))
    : (cpuOnly(good) ?? cpuOnly(low));
  if (chosen) return chosen;

  // 4. Nothing reaches the wanted context: the best file that fits with a smaller one, with a warning; but a
  // minimum the user asked for (--min-ctx) is a minimum: then this is only what would fit, said in the refusal.
  if (options.ctx === undefined) {
    const place = hasGpu ? budget : { ...budget, gpus: [] };
    if (options.minCtx !== undefined) {
      // The refusal names the largest context any file gives here (a smaller file may give more).
      const best = all.map((c) => ({ c, ctx: maxPlacedContext(model, c.bytes, 'q8_0', place, extra, minCtx) })).reduce((a, b) => (b.ctx > a.ctx ? b : a));
      if (best.ctx >= SMALLEST_USEFUL_CONTEXT) {
        rejections.push({ runtime, artifact: best.c.artifact.id, bytes: best.c.bytes, reason: `at most ${best.ctx} tokens fit here (${best.c.artifact.quantization}, q8_0 KV cache), below the ${options.minCtx} asked for`, kind: 'memory', fitsContext: best.ctx });
      }
      return { rejections };
    }
    for (const c of all) {
      const ctx = maxPlacedContext(model, c.bytes, 'q8_0', place, extra, minCtx);
      if (ctx < SMALLEST_USEFUL_CONTEXT) continue;
      const placement = placeGguf(model, c.bytes, 'q8_0', ctx, place, extra)!;
      if (tooSlow(c, placement.gpuLayers)) continue;
      return done(c, placement, [`${c.artifact.quantization} fits only with ${ctx} tokens of context (q8_0 KV cache)`]);
    }
  }
  return { rejections };
}
