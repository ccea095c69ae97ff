/**
 * The planner: (hardware facts, model profile, user constraints) -> Plan. Pure: no I/O, no env, no clock.
 * Policy: vLLM on NVIDIA when a vLLM checkpoint fits with agent-sized context (and, on a single GPU, at
 * 8 bits or more: at 4 bits llama.cpp runs the official GGUF as well); llama.cpp for one consumer GPU,
 * Apple silicon, CPU only and partial offload; Ollama when asked for, or when it already runs here.
 */
import { DevstralError } from '../errors.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { Artifact, ModelProfile, RuntimeId } from '../profiles/modelProfile.js';
import { buildLaunchCommand } from '../runtimes/buildLaunchCommand.js';
import { artifactSize } from './artifactSize.js';
import { formatGiB, MiB } from './estimateMemory.js';
import { fitVllm, isRejection, type VllmFit } from './fitVllm.js';
import { estimateMemoryBudget } from './memoryBudget.js';
import type { Alternative, Plan, PlanCore, PlanOptions, Rejection, ServeOptions } from './plan.js';
import { planGguf, type GgufFit } from './planGguf.js';
import { bitsPerWeight } from './quantization.js';

export const AGENT_MIN_CONTEXT = 32768;

export function planLaunch(facts: HardwareFacts, model: ModelProfile, options: PlanOptions, serve: ServeOptions): Plan {
  checkOptions(facts, model, options);
  // Tensor parallelism is a vLLM setting: asking for it asks for vLLM.
  const core = planCore(facts, model, options.tp !== undefined && !options.runtime ? { ...options, runtime: 'vllm' } : options);
  return { ...core, command: buildLaunchCommand(core, model, facts, serve) };
}

function checkOptions(facts: HardwareFacts, model: ModelProfile, options: PlanOptions): void {
  if (options.quant !== undefined) {
    const q = options.quant.toLowerCase();
    if (!model.artifacts.some((a) => a.id.toLowerCase() === q || a.quantization.toLowerCase() === q)) {
      const known = [...new Set(model.artifacts.map((a) => a.quantization))].join(', ');
      throw new DevstralError('usage', `--quant ${options.quant}: ${model.id} has no such quantization`, { hint: `choose one of: ${known}` });
    }
  }
  if (options.gpus !== undefined) {
    const indices = facts.gpus.map((g, i) => g.index ?? i);
    const missing = options.gpus.filter((i) => !indices.includes(i));
    if (missing.length) {
      throw new DevstralError('usage', `--gpus ${options.gpus.join(',')}: no GPU with index ${missing.join(', ')}`, {
        hint: indices.length ? `GPU indices here: ${indices.join(', ')}` : 'this machine has no GPU; leave out --gpus',
      });
    }
  }
  if (options.ctx !== undefined && options.ctx > model.architecture.contextLength) {
    throw new DevstralError('usage', `--ctx ${options.ctx} is more than ${model.name} supports`, { hint: `use at most ${model.architecture.contextLength}` });
  }
}

const matchesQuant = (a: Artifact, quant?: string) =>
  quant === undefined || a.id.toLowerCase() === quant.toLowerCase() || a.quantization.toLowerCase() === quant.toLowerCase();

function bitsOf(model: ModelProfile, a: Artifact): number {
  const size = artifactSize(a, model);
  return bitsPerWeight(a.quantization) ?? (size ? (size.bytes * 8) / model.architecture.parameters : 0);
}

function planVllm(facts: HardwareFacts, model: ModelProfile, options: PlanOptions): { fit: VllmFit } | { rejections: Rejection[] } {
  const artifacts = model.artifacts
    .filter((a) => a.runtimes.includes('vllm') && matchesQuant(a, options.quant))
    .sort((a, b) => bitsOf(model, b) - bitsOf(model, a) || Number(b.official) - Number(a.official));
  if (artifacts.length === 0) return { rejections: [{ runtime: 'vllm', reason: `no vLLM checkpoint${options.quant ? ` with quantization ${options.quant}` : ''} in the ${model.id} profile` }] };
  const rejections: Rejection[] = [];
  for (const artifact of artifacts) {
    const fit = fitVllm(facts, model, artifact, options);
    // Say why the better checkpoints were passed over.
    if (!isRejection(fit)) return { fit: { ...fit, reasons: [...rejections.map((r) => `not ${r.artifact}: ${r.reason}`), ...fit.reasons] } };
    rejections.push(fit);
  }
  return { rejections };
}

function planCore(facts: HardwareFacts, model: ModelProfile, options: PlanOptions): PlanCore {
  const minCtx = options.minCtx ?? AGENT_MIN_CONTEXT;
  const wants = (r: RuntimeId) => options.runtime === undefined || options.runtime === r;
  const ollamaRunning = facts.runtimes?.ollama?.running === true;

  const vllm = wants('vllm') ? planVllm(facts, model, options) : undefined;
  const budget = estimateMemoryBudget(facts, options);
  const llamacpp = wants('llamacpp') ? planGguf(model, budget, options, 'llamacpp') : undefined;
  const ollama = options.runtime === 'ollama' || (options.runtime === undefined && ollamaRunning) ? planGguf(model, budget, options, 'ollama') : undefined;

  // On one GPU, a 4-bit vLLM checkpoint is a community quantization no better than the official GGUF.
  let vllmDeclined: string | undefined;
  if (vllm && 'fit' in vllm && options.runtime !== 'vllm' && vllm.fit.tp === 1 && bitsOf(model, vllm.fit.artifact) < 8 && llamacpp && 'fit' in llamacpp) {
    vllmDeclined = `only the ${vllm.fit.artifact.quantization} community checkpoint fits one GPU; llama.cpp runs the official ${llamacpp.fit.artifact.quantization} GGUF instead (use --runtime vllm to override)`;
  }

  let chosen: { runtime: RuntimeId; fit: VllmFit | GgufFit } | undefined;
  if (vllm && 'fit' in vllm && !vllmDeclined) chosen = { runtime: 'vllm', fit: vllm.fit };
  else if (ollama && 'fit' in ollama) chosen = { runtime: 'ollama', fit: ollama.fit };
  else if (llamacpp && 'fit' in llamacpp) chosen = { runtime: 'llamacpp', fit: llamacpp.fit };

  if (!chosen) {
    // Ollama may hold weights the other runtimes cannot load (its own library tags): point there.
    const viaOllama = ollama === undefined && options.runtime === undefined ? planGguf(model, budget, options, 'ollama') : undefined;
    throw refusal(facts, model, options, [vllm, llamacpp, ollama], viaOllama && 'fit' in viaOllama ? viaOllama.fit : undefined);
  }

  const alternatives: Alternative[] = [];
  const why = (r: RuntimeId, result: typeof vllm | typeof llamacpp): string | undefined => {
    if (r === chosen!.runtime) return undefined;
    if (result === undefined) {
      if (r === 'ollama') return ollamaRunning ? 'not requested' : 'not requested and no Ollama server runs here (use --runtime ollama)';
      return `not requested (--runtime ${options.runtime})`;
    }
    if ('rejections' in result) return result.rejections[0]?.reason ?? 'does not fit';
    if (r === 'vllm' && vllmDeclined) return vllmDeclined;
    const fit = result.fit;
    const also = `would also work (${fit.artifact.quantization}, ${fit.contextLength} tokens)`;
    if (chosen!.runtime === 'vllm') return `${also}, but vLLM serves several agents faster on NVIDIA GPUs and splits the model with tensor parallelism`;
    if (chosen!.runtime === 'ollama') return `${also}; Ollama already runs here, so it is reused`;
    return also;
  };
  for (const [r, result] of [['vllm', vllm], ['llamacpp', llamacpp], ['ollama', ollama]] as const) {
    const rejected = why(r, result);
    if (rejected) alternatives.push({ runtime: r, ...(result && 'fit' in result ? { artifact: result.fit.artifact.id } : {}), rejected });
  }
  return describe(facts, model, options, chosen.runtime, chosen.fit, budget.device, alternatives, minCtx);
}

function describe(
  facts: HardwareFacts,
  model: ModelProfile,
  options: PlanOptions,
  runtime: RuntimeId,
  fit: VllmFit | GgufFit,
  ggufDevice: PlanCore['device'],
  alternatives: Alternative[],
  minCtx: number,
): PlanCore {
  const isVllm = 'tp' in fit;
  const reasons = [...fit.reasons];
  const warnings = [...fit.warnings];
  const artifact = fit.artifact;
  if (fit.contextLength < AGENT_MIN_CONTEXT) {
    warnings.push(`context ${fit.contextLength} is below ${AGENT_MIN_CONTEXT}: coding agents (OpenHands, Cline) fill that quickly and will fail or truncate`);
  }
  if (fit.bytesEstimated) warnings.push(`the exact size of ${artifact.id} is not in the profile; ${formatGiB(fit.bytes)} is estimated from its quantization`);
  if (!artifact.official) warnings.push(`${artifact.source} is a community checkpoint, not published by Mistral AI`);
  if (artifact.notes) reasons.push(artifact.notes);
  const installed = facts.runtimes;
  if (installed && runtime === 'vllm' && !installed.vllm) warnings.push(`vLLM is not installed here: pip install -U vllm (${model.vllm.minVersion ? `>= ${model.vllm.minVersion}, ` : ''}with mistral_common >= 1.7.0)`);
  if (installed && runtime === 'ollama' && !installed.ollama) warnings.push('Ollama is not installed here: see https://ollama.com/download');
  if (facts.disk && facts.disk.freeMiB * MiB < fit.bytes) {
    warnings.push(`the weights need ${formatGiB(fit.bytes)} on disk; only ${formatGiB(facts.disk.freeMiB * MiB)} is free where they go`);
  }
  if (isVllm && fit.gpus.some((g) => g.computeCapability === undefined)) warnings.push('the GPU compute capability is unknown: check that vLLM supports it (7.0 or newer)');
  if (options.minCtx !== undefined && minCtx !== AGENT_MIN_CONTEXT) reasons.push(`at least ${minCtx} tokens of context asked for (--min-ctx)`);

  return {
    model: model.id,
    runtime,
    artifact: {
      id: artifact.id,
      format: artifact.format,
      source: artifact.source,
      quantization: artifact.quantization,
      bytes: fit.bytes,
      bytesEstimated: fit.bytesEstimated,
      official: artifact.official,
      ...(artifact.ollama ? { ollama: artifact.ollama } : {}),
    },
    contextLength: fit.contextLength,
    tensorParallelSize: isVllm ? fit.tp : null,
    gpuLayers: isVllm ? null : fit.gpuLayers,
    layers: model.architecture.layers,
    kvCacheType: fit.kv,
    ...(isVllm ? { gpuMemoryUtilization: fit.utilization } : {}),
    gpus: isVllm ? fit.gpus.map((g) => g.index) : fit.gpuLayers > 0 ? estimateMemoryBudget(facts, options).gpus.map((g) => g.index) : [],
    device: isVllm ? 'cuda' : fit.gpuLayers > 0 ? ggufDevice : 'cpu',
    memory: fit.memory,
    reasons,
    warnings,
    alternatives,
  };
}

function refusal(
  facts: HardwareFacts,
  model: ModelProfile,
  options: PlanOptions,
  results: ({ rejections: Rejection[] } | { fit: unknown } | undefined)[],
  ollamaFit?: GgufFit,
): DevstralError {
  const details = results.flatMap((r) => (r && 'rejections' in r ? summarizeRejections(r.rejections) : []));
  const gpuMiB = facts.gpus.reduce((s, g) => s + g.memoryMiB, 0);
  const have = `${facts.gpus.length ? `${formatGiB(gpuMiB * MiB)} of GPU memory and ` : ''}${formatGiB(facts.memory.totalMiB * MiB)} of RAM`;
  const hints = ['a smaller --quant or --ctx', 'a machine with more memory'];
  if (facts.gpus.some((g) => g.vendor === 'apple')) hints.unshift('raising the Metal limit: sudo sysctl iogpu.wired_limit_mb=<MiB>');
  if (options.runtime) hints.unshift('another --runtime');
  if (ollamaFit) hints.unshift(`--runtime ollama (${ollamaFit.artifact.ollama} fits, ${ollamaFit.contextLength} tokens)`);
  return new DevstralError('noPlan', `${model.name} does not fit on this machine (${have})`, { details, hint: `try ${hints.join(', or ')}` });
}

/**
 * One runtime's rejections, short: a reason shared by every artifact once; otherwise what the smallest
 * artifact needs against what is available (larger ones need more).
 */
export function summarizeRejections(rejections: Rejection[]): string[] {
  const runtime = rejections[0]?.runtime;
  if (!runtime) return [];
  const strip = (r: Rejection) => r.reason;
  const reasons = [...new Set(rejections.map(strip))];
  if (reasons.length === 1 || rejections.every((r) => r.bytes === undefined)) return reasons.map((reason) => `${runtime}: ${reason}`);
  const smallest = rejections.filter((r) => r.bytes !== undefined).reduce((a, b) => (b.bytes! < a.bytes! ? b : a));
  const lines = [...new Set(rejections.filter((r) => r.artifact === smallest.artifact).map(strip))].map((reason) => `${runtime}: ${reason}`);
  const others = new Set(rejections.map((r) => r.artifact).filter((a) => a !== smallest.artifact)).size;
  if (others) lines.push(`${runtime}: the ${others} larger file(s) need more`);
  return lines;
}
