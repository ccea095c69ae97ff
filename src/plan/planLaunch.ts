/**
 * The planner: (hardware facts, model profile, user constraints) -> Plan. Pure: no I/O, no env, no clock.
 * Policy: vLLM on NVIDIA when a vLLM checkpoint fits with agent-sized context (and, on a single GPU, at
 * 8 bits or more: at 4 bits llama.cpp runs the official GGUF as well); llama.cpp for one consumer GPU,
 * Apple silicon, CPU only and partial offload; Ollama when asked for, or when it already runs here.
 */
import { DevstralError } from '../errors.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { ModelProfile, RuntimeId } from '../profiles/modelProfile.js';
import { buildLaunchCommand, resolveServeOptions } from '../runtimes/buildLaunchCommand.js';
import { planEndpoint } from '../runtimes/planEndpoint.js';
import { checkPlanOptions } from './checkPlanOptions.js';
import { formatGiB, MiB } from './estimateMemory.js';
import { fitVllm, isRejection, type VllmFit } from './fitVllm.js';
import { estimateMemoryBudget, type MemoryBudget } from './memoryBudget.js';
import { AGENT_MIN_CONTEXT, type Alternative, type Plan, type PlanCore, type PlanOptions, type Rejection, type ServeOptions } from '../planShapes.js';
import { planGguf, type GgufFit } from './planGguf.js';
import { artifactBits, selectArtifacts } from './selectArtifacts.js';

type Outcome<F> = { fit: F } | { rejections: Rejection[] };

export function planLaunch(facts: HardwareFacts, model: ModelProfile, options: PlanOptions, serveOptions: ServeOptions): Plan {
  checkPlanOptions(facts, model, options);
  // Tensor parallelism and serving across nodes are vLLM's: asking for them asks for vLLM.
  const effective: PlanOptions = (options.tp !== undefined || (options.nodes ?? 1) > 1) && !options.runtime ? { ...options, runtime: 'vllm' } : options;
  const core = planCore(facts, model, effective);
  if (options.forAgent) core.reasons.push(agentTrades(facts, model, effective, core));
  const serve = resolveServeOptions(core, facts, serveOptions);
  const warnings = [...core.warnings, ...serveWarnings(core, serve)];
  return { ...core, warnings, endpoint: planEndpoint(core, model, serve), command: buildLaunchCommand(core, model, facts, serve) };
}

/** What planning for an agent's context changed against the default plan: the trades, named. */
function agentTrades(facts: HardwareFacts, model: ModelProfile, options: PlanOptions, core: PlanCore): string {
  const { minCtx: _m, forAgent: _a, ...rest } = options;
  let base: PlanCore | undefined;
  try {
    base = planCore(facts, model, rest);
  } catch {
    base = undefined;
  }
  const traded: string[] = [];
  if (base && base.runtime !== core.runtime) traded.push(`${core.runtime} instead of ${base.runtime}`);
  if (base && base.artifact.id !== core.artifact.id) traded.push(`${core.artifact.quantization} weights instead of ${base.artifact.quantization}`);
  if (base && base.kvCacheType !== core.kvCacheType) traded.push(`${core.kvCacheType} KV cache instead of ${base.kvCacheType}`);
  if (base && base.gpuLayers !== null && core.gpuLayers !== null && core.gpuLayers < base.gpuLayers) traded.push(`${core.gpuLayers} layers on the GPU instead of ${base.gpuLayers}`);
  const want = `at least ${options.minCtx} tokens of context for ${options.forAgent} (--for)`;
  if (!base) return `${want}: ${core.contextLength} planned`;
  if (traded.length === 0) return `${want}: ${core.contextLength} planned, with nothing traded${base.contextLength < core.contextLength ? ` (the default plan had ${base.contextLength})` : ''}`;
  return `${want}: ${core.contextLength} planned instead of ${base.contextLength}, trading ${traded.join(', ')}`;
}

function serveWarnings(plan: PlanCore, serve: ServeOptions): string[] {
  const warnings: string[] = [];
  if (['0.0.0.0', '::'].includes(serve.host) && !serve.apiKey && plan.runtime !== 'ollama') {
    warnings.push(`--host ${serve.host} without --api-key: anyone who can reach this machine can use the server`);
  }
  if (serve.apiKey && plan.runtime === 'ollama') warnings.push('Ollama has no API keys: --api-key is ignored (put a reverse proxy in front to require one)');
  if (plan.artifact.revision && plan.runtime === 'ollama') warnings.push(`Ollama cannot pin a revision: it pulls the latest ${plan.artifact.ollama}, not @${plan.artifact.revision}`);
  return warnings;
}

function planVllm(facts: HardwareFacts, model: ModelProfile, options: PlanOptions): Outcome<VllmFit> {
  const artifacts = selectArtifacts(model, 'vllm', options).sort((a, b) => artifactBits(model, b) - artifactBits(model, a) || Number(b.official) - Number(a.official));
  if (artifacts.length === 0) return { rejections: [{ runtime: 'vllm', reason: `no vLLM checkpoint${options.quant ? ` with quantization ${options.quant}` : ''} in the ${model.id} profile`, kind: 'platform' }] };
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
  const wants = (r: RuntimeId) => options.runtime === undefined || options.runtime === r;
  const ollamaRunning = facts.runtimes?.ollama?.running === true;
  const budget = estimateMemoryBudget(facts, options);

  const vllm = wants('vllm') ? planVllm(facts, model, options) : undefined;
  const llamacpp = wants('llamacpp') ? planGguf(model, budget, options, 'llamacpp') : undefined;
  const ollama = options.runtime === 'ollama' || (options.runtime === undefined && ollamaRunning) ? planGguf(model, budget, options, 'ollama') : undefined;

  // On one GPU, a 4-bit vLLM checkpoint is a community quantization no better than the official GGUF.
  let vllmDeclined: string | undefined;
  if (vllm && 'fit' in vllm && options.runtime !== 'vllm' && vllm.fit.tp === 1 && artifactBits(model, vllm.fit.artifact) < 8 && llamacpp && 'fit' in llamacpp) {
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
  const alternatives = explainAlternatives(chosen.runtime, { vllm, llamacpp, ollama }, options, vllmDeclined);
  return describe(facts, model, options, chosen.runtime, chosen.fit, budget, alternatives);
}

function explainAlternatives(
  chosen: RuntimeId,
  results: Record<RuntimeId, Outcome<VllmFit | GgufFit> | undefined>,
  options: PlanOptions,
  vllmDeclined: string | undefined,
): Alternative[] {
  const alternatives: Alternative[] = [];
  for (const runtime of ['vllm', 'llamacpp', 'ollama'] as const) {
    if (runtime === chosen) continue;
    const result = results[runtime];
    let rejected: string;
    if (result === undefined) {
      if (options.localFile) rejected = runtime === 'vllm' ? 'vLLM loads checkpoints from a repository, not a local GGUF file' : 'Ollama serves models from its library or hf.co, not a local GGUF file';
      else rejected = runtime === 'ollama' && !options.runtime ? 'not requested, and no Ollama server runs here (use --runtime ollama)' : `not requested (--runtime ${options.runtime})`;
    } else if ('rejections' in result) {
      // The smallest artifact's reason says the most: if it does not fit, none does.
      const sized = result.rejections.filter((r) => r.bytes !== undefined);
      const smallest = sized.length ? sized.reduce((a, b) => (b.bytes! < a.bytes! ? b : a)) : result.rejections[0];
      rejected = smallest?.reason ?? 'does not fit';
    } else if (runtime === 'vllm' && vllmDeclined) {
      rejected = vllmDeclined;
    } else {
      const also = `would also work (${result.fit.artifact.quantization}, ${result.fit.contextLength} tokens)`;
      if (chosen === 'vllm') rejected = `${also}, but vLLM serves several agents at once much faster on NVIDIA GPUs`;
      else if (chosen === 'ollama') rejected = `${also}; Ollama already runs here, so it is used`;
      else rejected = also;
    }
    alternatives.push({ runtime, ...(result && 'fit' in result ? { artifact: result.fit.artifact.id } : {}), rejected });
  }
  return alternatives;
}

function describe(
  facts: HardwareFacts,
  model: ModelProfile,
  options: PlanOptions,
  runtime: RuntimeId,
  fit: VllmFit | GgufFit,
  budget: MemoryBudget,
  alternatives: Alternative[],
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
  const installed = facts.runtimes;
  if (installed && runtime === 'vllm' && !installed.vllm) warnings.push(`vLLM is not installed here: pip install -U vllm (${model.vllm.minVersion ? `>= ${model.vllm.minVersion}, ` : ''}with mistral_common >= 1.7.0)`);
  if (installed && runtime === 'ollama' && !installed.ollama) warnings.push('Ollama is not installed here: see https://ollama.com/download');
  if (facts.disk && facts.disk.freeMiB * MiB < fit.bytes) {
    warnings.push(`the weights need ${formatGiB(fit.bytes)} on disk; only ${formatGiB(facts.disk.freeMiB * MiB)} is free where they go`);
  }
  const onGpu = isVllm || fit.gpuLayers > 0;
  if (!isVllm && onGpu && budget.busyBytes > 1024 * MiB) warnings.push(`other processes hold ${formatGiB(budget.busyBytes)} of GPU memory; the plan uses what is free`);
  if (isVllm && fit.gpus.some((g) => g.computeCapability === undefined)) warnings.push('the GPU compute capability is unknown: check that vLLM supports it (7.0 or newer)');
  if (isVllm && fit.pp > 1) reasons.push(`${fit.pp} nodes: pipeline parallel ${fit.pp} across them, tensor parallel ${fit.tp} inside each (tensor parallel across nodes would send every layer's all-reduce over the network)`);
  if (isVllm && options.tp === undefined && fit.tp > 1) reasons.push(`tensor parallel ${fit.tp} over all identical GPUs: more KV cache for parallel agents and faster decoding (--tp sets fewer)`);
  if (options.minCtx !== undefined && !options.forAgent) reasons.push(`at least ${options.minCtx} tokens of context asked for (--min-ctx)`);

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
      ...(options.revision ? { revision: options.revision } : {}),
    },
    contextLength: fit.contextLength,
    tensorParallelSize: isVllm ? fit.tp : null,
    pipelineParallelSize: isVllm ? fit.pp : null,
    nodes: isVllm ? fit.pp : 1,
    gpuLayers: isVllm ? null : fit.gpuLayers,
    layers: model.architecture.layers,
    kvCacheType: fit.kv,
    ...(isVllm ? { gpuMemoryUtilization: fit.utilization } : {}),
    gpus: isVllm ? fit.gpus.map((g) => g.index) : onGpu ? budget.gpus.map((g) => g.index) : [],
    device: isVllm ? 'cuda' : onGpu ? budget.device : 'cpu',
    memory: fit.memory,
    reasons,
    warnings,
    alternatives,
  };
}

function refusal(facts: HardwareFacts, model: ModelProfile, options: PlanOptions, results: (Outcome<unknown> | undefined)[], ollamaFit?: GgufFit): DevstralError {
  const rejections = results.flatMap((r) => (r && 'rejections' in r ? [r.rejections] : []));
  const details = rejections.flatMap(summarizeRejections);
  const gpuMiB = facts.gpus.reduce((s, g) => s + g.memoryMiB, 0);
  const have = `${facts.gpus.length ? `${formatGiB(gpuMiB * MiB)} of GPU memory and ` : ''}${formatGiB(facts.memory.totalMiB * MiB)} of RAM`;
  const memoryBound = rejections.flat().some((r) => r.kind === 'memory');
  if (!memoryBound) {
    // Say what the user can do with what they gave: no advice about flags they did not use.
    const hints: string[] = [];
    if (options.runtime === 'vllm') hints.push('vLLM needs Linux with NVIDIA GPUs: drop --runtime, or print the command for such a box with --hardware (see `devstral profiles list`)');
    else if (options.runtime || options.quant) hints.push(`drop ${[options.runtime && '--runtime', options.quant && '--quant'].filter(Boolean).join(' and ')}`);
    const gguf = model.artifacts.some((a) => a.format === 'gguf' && a.runtimes.includes('llamacpp'));
    if (!gguf && options.runtime !== 'vllm') hints.push(`${model.id} has no GGUF for llama.cpp: it needs vLLM on NVIDIA GPUs${model.artifacts.some((a) => a.ollama) && options.runtime !== 'ollama' ? ' (or Ollama: --runtime ollama)' : ''}; print the command for such a machine with --hardware`);
    hints.push(`see what it needs: devstral profiles show ${model.id}`);
    return new DevstralError('noPlan', `${model.name} cannot run ${options.runtime ? `on ${options.runtime} ` : ''}here`, { details, hint: hints.join('; ') });
  }
  const fits = Math.max(0, ...rejections.flat().map((r) => r.fitsContext ?? 0));
  const fewer = options.forAgent ? `--min-ctx ${fits} instead of --for (the most that fits here)` : `--min-ctx ${fits} (the most that fits here)`;
  // Every file was tried already: a smaller one helps only where the user chose the file or the context.
  const smaller = options.quant !== undefined || options.ctx !== undefined ? ['a smaller --quant or --ctx'] : [];
  const hints = fits && options.minCtx !== undefined ? [fewer, 'a machine with more memory'] : [...smaller, 'a machine with more memory'];
  if (facts.gpus.some((g) => g.vendor === 'apple') && facts.memory.totalMiB >= 24 * 1024) hints.unshift('raising the Metal limit: sudo sysctl iogpu.wired_limit_mb=<MiB>');
  if (options.runtime) hints.unshift('another --runtime');
  if (ollamaFit) hints.unshift(`--runtime ollama (${ollamaFit.artifact.ollama} fits, ${ollamaFit.contextLength} tokens)`);
  const what = fits && options.minCtx !== undefined ? `with at least ${options.minCtx} tokens of context ${options.forAgent ? `(what ${options.forAgent} needs) ` : ''}` : '';
  return new DevstralError('noPlan', `${model.name} does not fit ${what}on this machine (${have})`, { details, hint: `try ${hints.join(', or ')}` });
}

/**
 * One runtime's rejections, short: a reason shared by every artifact once; otherwise what the smallest
 * artifact needs against what is available (larger ones need more).
 */
export function summarizeRejections(rejections: Rejection[]): string[] {
  const runtime = rejections[0]?.runtime;
  if (!runtime) return [];
  const reasons = [...new Set(rejections.map((r) => r.reason))];
  const sized = rejections.filter((r) => r.bytes !== undefined);
  if (reasons.length === 1 || sized.length === 0) return reasons.map((reason) => `${runtime}: ${reason}`);
  const smallest = sized.reduce((a, b) => (b.bytes! < a.bytes! ? b : a));
  const lines = [...new Set(rejections.filter((r) => r.artifact === smallest.artifact).map((r) => r.reason))].map((reason) => `${runtime}: ${reason}`);
  const others = new Set(rejections.map((r) => r.artifact).filter((a) => a !== smallest.artifact)).size;
  if (others) lines.push(`${runtime}: the ${others} larger file(s) need more`);
  return lines;
}
