/** Chooses the GGUF, KV cache type, context and GPU layers for llama.cpp or Ollama. Pure. */
import type { Artifact, ModelProfile } from '../profiles/modelProfile.js';
import { artifactSize } from './artifactSize.js';
import { estimateLlamaCppOverhead, formatGiB, kvBytesPerToken } from './estimateMemory.js';
import { OLLAMA_EXTRA_OVERHEAD, maxCpuContext, maxFullOffloadContext, placeGguf, type GgufPlacement } from './fitGguf.js';
import type { MemoryBudget } from './memoryBudget.js';
import type { KvCacheType, PlanOptions, Rejection } from './plan.js';
import { MIN_GOOD_BITS, bitsPerWeight } from './quantization.js';

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

interface Candidate {
  artifact: Artifact;
  bytes: number;
  bytesEstimated: boolean;
  bits: number;
}

export function ggufCandidates(model: ModelProfile, runtime: 'llamacpp' | 'ollama', quant: string | undefined): Candidate[] {
  const wanted = quant?.toLowerCase();
  return model.artifacts
    .filter((a) => a.format === 'gguf' && a.runtimes.includes(runtime) && (runtime === 'llamacpp' ? a.source.startsWith('hf:') : a.ollama !== undefined))
    .filter((a) => wanted === undefined || a.id.toLowerCase() === wanted || a.quantization.toLowerCase() === wanted)
    .flatMap((artifact) => {
      const size = artifactSize(artifact, model);
      if (!size) return [];
      const bits = bitsPerWeight(artifact.quantization) ?? (size.bytes * 8) / model.architecture.parameters;
      return [{ artifact, bytes: size.bytes, bytesEstimated: size.estimated, bits }];
    })
    // Official files first (community ones only when none fits), then best quality, then the smaller file.
    .sort((a, b) => Number(b.artifact.official) - Number(a.artifact.official) || b.bits - a.bits || a.bytes - b.bytes);
}

/** The largest context (a multiple of 1024, below `below`) that placeGguf can place; 0 if none. */
function maxPlacedContext(model: ModelProfile, bytes: number, kv: KvCacheType, budget: MemoryBudget, extra: number, below: number): number {
  let lo = 0;
  let hi = Math.floor(below / 1024);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (placeGguf(model, bytes, kv, mid * 1024, budget, extra)) lo = mid;
    else hi = mid - 1;
  }
  return lo * 1024;
}

const smallestFirst = (pool: Candidate[]) =>
  [...pool].sort((a, b) => Number(b.artifact.official) - Number(a.artifact.official) || a.bytes - b.bytes);

export function planGguf(
  model: ModelProfile,
  budget: MemoryBudget,
  options: PlanOptions,
  runtime: 'llamacpp' | 'ollama',
): { fit: GgufFit } | { rejections: Rejection[] } {
  const candidates = ggufCandidates(model, runtime, options.quant);
  if (candidates.length === 0) {
    const reason = options.quant ? `no GGUF with quantization "${options.quant}" for ${runtime} in the ${model.id} profile` : `no GGUF for ${runtime} in the ${model.id} profile`;
    return { rejections: [{ runtime, reason }] };
  }
  const extra = runtime === 'ollama' ? OLLAMA_EXTRA_OVERHEAD : 0;
  const modelCtx = model.architecture.contextLength;
  const minCtx = Math.min(options.minCtx ?? 32768, modelCtx);
  const good = candidates.filter((c) => c.bits >= MIN_GOOD_BITS - 0.01);
  const low = candidates.filter((c) => c.bits < MIN_GOOD_BITS - 0.01);
  const rejections: Rejection[] = [];
  const hasGpu = budget.gpus.length > 0;
  const gpuWhere = budget.unified ? `the ${formatGiB(budget.gpuBytes)} Metal working set` : `${formatGiB(budget.gpuBytes)} of GPU memory`;
  const done = (c: Candidate, placement: GgufPlacement, reasons: string[], warnings: string[] = []): { fit: GgufFit } => {
    // The two best files passed over, and why: enough to explain the choice without listing every file.
    const passedOver = rejections.filter((r) => r.artifact !== c.artifact.id).slice(0, 2).map((r) => `not ${r.artifact}: ${r.reason}`);
    return { fit: { artifact: c.artifact, bytes: c.bytes, bytesEstimated: c.bytesEstimated, ...placement, reasons: [...passedOver, ...reasons], warnings } };
  };

  // 1. Everything on the GPU with at least the wanted context: the best quantization that allows it.
  const fullOffload = (pool: Candidate[]) => {
    for (const c of pool) {
      for (const kv of ['f16', 'q8_0'] as KvCacheType[]) {
        const max = Math.min(maxFullOffloadContext(model, c.bytes, kv, budget, extra), modelCtx);
        if (max >= (options.ctx ?? minCtx)) {
          const placement = placeGguf(model, c.bytes, kv, options.ctx ?? max, budget, extra)!;
          const why = [`${c.artifact.quantization} (${formatGiB(c.bytes)}) fits entirely in ${gpuWhere} with ${placement.contextLength} tokens of context`];
          if (kv === 'q8_0') why.push(`q8_0 KV cache (half of f16) is what makes ${placement.contextLength} tokens fit`);
          return done(c, placement, why);
        }
        if (kv === 'q8_0') {
          rejections.push({
            runtime,
            artifact: c.artifact.id,
            bytes: c.bytes,
            reason: max > 0
              ? `${c.artifact.quantization} fits in ${gpuWhere} with only ${max} tokens of context (q8_0 KV); ${options.ctx ?? minCtx} wanted`
              : `${c.artifact.quantization} (${formatGiB(c.bytes)}) does not fit in ${gpuWhere}`,
          });
        }
      }
    }
    return undefined;
  };

  // 2. Split between GPU and CPU at the wanted context: the smallest good file, since CPU layers set the pace.
  const partialOffload = (pool: Candidate[]) => {
    for (const c of smallestFirst(pool)) {
      const ctx = options.ctx ?? minCtx;
      const placement = placeGguf(model, c.bytes, 'q8_0', ctx, budget, extra);
      if (placement && placement.gpuLayers > 0) {
        return done(
          c,
          placement,
          [
            `${c.artifact.quantization} (${formatGiB(c.bytes)}) does not fit in ${gpuWhere} with ${ctx} tokens: ` +
              `${placement.gpuLayers} of ${model.architecture.layers} layers go on the GPU, the rest run on the CPU from RAM`,
            'q8_0 KV cache keeps more layers on the GPU',
          ],
          [`partial offload: only ${placement.gpuLayers} of ${model.architecture.layers} layers on the GPU, so generation runs at CPU speed (a few tokens per second)`],
        );
      }
      const needed = c.bytes + kvBytesPerToken(model.architecture, 'q8_0') * ctx + estimateLlamaCppOverhead(model.architecture) + extra;
      const where = budget.unified ? `${formatGiB(budget.ramBytes)} of unified memory` : `${formatGiB(budget.gpuBytes)} of GPU memory + ${formatGiB(budget.ramBytes)} of RAM`;
      rejections.push({ runtime, artifact: c.artifact.id, bytes: c.bytes, reason: `${c.artifact.quantization} with ${ctx} tokens needs ${formatGiB(needed)}; ${where} available` });
    }
    return undefined;
  };

  // 3. CPU only: the smallest good file (memory bandwidth sets the speed), context capped for prompt speed.
  const cpuOnly = (pool: Candidate[]) => {
    for (const c of smallestFirst(pool)) {
      for (const kv of ['f16', 'q8_0'] as KvCacheType[]) {
        const max = Math.min(maxCpuContext(model, c.bytes, kv, budget, extra), modelCtx);
        if (max < (options.ctx ?? minCtx)) continue;
        const cap = Math.max(CPU_DEFAULT_CONTEXT, minCtx);
        const ctx = options.ctx ?? Math.min(max, cap);
        const reasons = [`${c.artifact.quantization} (${formatGiB(c.bytes)}) is the smallest good quantization: on a CPU, speed is set by memory bandwidth`];
        if (options.ctx === undefined && max > cap) reasons.push(`context capped at ${cap} (up to ${max} would fit): long prompts take minutes on a CPU; raise it with --ctx`);
        if (kv === 'q8_0') reasons.push('q8_0 KV cache (half of f16) is what makes the context fit in RAM');
        return done(c, placeGguf(model, c.bytes, kv, ctx, budget, extra)!, reasons, [
          'no usable GPU: a 24B model on the CPU generates a few tokens per second at best',
        ]);
      }
      const needed = c.bytes + kvBytesPerToken(model.architecture, 'q8_0') * (options.ctx ?? minCtx) + estimateLlamaCppOverhead(model.architecture) + extra;
      rejections.push({ runtime, artifact: c.artifact.id, bytes: c.bytes, reason: `${c.artifact.quantization} with ${options.ctx ?? minCtx} tokens needs ${formatGiB(needed)}; ${formatGiB(budget.ramBytes)} of RAM available` });
    }
    return undefined;
  };

  const lowQuality = (fit: { fit: GgufFit } | undefined) => {
    if (fit && bitsPerWeight(fit.fit.artifact.quantization) !== undefined && bitsPerWeight(fit.fit.artifact.quantization)! >= MIN_GOOD_BITS - 0.01) return fit;
    fit?.fit.warnings.push(`${fit.fit.artifact.quantization} is below Q4_K_M: noticeably weaker code and tool calls; nothing better fits here`);
    return fit;
  };
  const chosen = hasGpu
    ? (fullOffload(good) ?? partialOffload(good) ?? lowQuality(fullOffload(low) ?? partialOffload(low)))
    : (cpuOnly(good) ?? lowQuality(cpuOnly(low)));
  if (chosen) return chosen;

  // 4. Nothing reaches the wanted context: the best file that fits with a smaller one, with a warning.
  if (options.ctx === undefined) {
    for (const c of candidates) {
      const ctx = maxPlacedContext(model, c.bytes, 'q8_0', budget, extra, minCtx);
      if (ctx >= SMALLEST_USEFUL_CONTEXT) {
        const placement = placeGguf(model, c.bytes, 'q8_0', ctx, budget, extra)!;
        const warnings = placement.gpuLayers < model.architecture.layers && hasGpu ? [`partial offload: only ${placement.gpuLayers} of ${model.architecture.layers} layers on the GPU`] : [];
        return lowQuality(done(c, placement, [`${c.artifact.quantization} fits only with ${ctx} tokens of context (q8_0 KV cache)`], warnings))!;
      }
    }
  }
  return { rejections };
}
