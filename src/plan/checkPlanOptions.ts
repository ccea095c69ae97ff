/** Constraints that contradict the model or the machine are usage errors, said before planning. Pure. */
import { DevstralError } from '../errors.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { validTensorParallelSizes, vllmGpus } from './fitVllm.js';
import type { PlanOptions } from '../planShapes.js';
import { artifactRepo, matchesQuant, selectArtifacts } from './selectArtifacts.js';
import { indexedGpus } from '../hardware/indexedGpus.js';

export function checkPlanOptions(facts: HardwareFacts, model: ModelProfile, options: PlanOptions): void {
  const max = model.architecture.contextLength;
  for (const [flag, value] of [['--ctx', options.ctx], ['--min-ctx', options.minCtx]] as const) {
    if (value !== undefined && value > max) throw new DevstralError('usage', `${flag} ${value} is more than ${model.name} supports`, { hint: `use at most ${max}` });
  }
  if (options.quant !== undefined) {
    const matching = model.artifacts.filter((a) => matchesQuant(a, options.quant));
    if (matching.length === 0) {
      const known = [...new Set(model.artifacts.map((a) => a.quantization))].join(', ');
      throw new DevstralError('usage', `--quant ${options.quant}: ${model.id} has no such quantization`, { hint: `choose one of: ${known}` });
    }
    if (options.runtime && !matching.some((a) => a.runtimes.includes(options.runtime!))) {
      const forRuntime = [...new Set(selectArtifacts(model, options.runtime, {}).map((a) => a.quantization))].join(', ');
      throw new DevstralError('usage', `--quant ${options.quant} is for ${matching[0]!.runtimes.join(' and ')}, not ${options.runtime}`, {
        hint: forRuntime ? `${options.runtime} takes: ${forRuntime}` : `${model.id} has nothing for ${options.runtime}`,
      });
    }
  }
  if (options.repo !== undefined && options.runtime && selectArtifacts(model, options.runtime, { repo: options.repo }).length === 0) {
    const repos = [...new Set(selectArtifacts(model, options.runtime, {}).map(artifactRepo))].join(', ');
    throw new DevstralError('usage', `${options.repo} has nothing ${options.runtime} can run`, { hint: `${options.runtime} takes: ${repos}` });
  }
  const indices = indexedGpus(facts).map((g) => g.index);
  if (options.gpus !== undefined) {
    const missing = options.gpus.filter((i) => !indices.includes(i));
    if (missing.length) {
      throw new DevstralError('usage', `--gpus ${options.gpus.join(',')}: no GPU with index ${missing.join(', ')}`, {
        hint: indices.length ? `GPU indices here: ${indices.join(', ')}` : 'this machine has no GPU; leave out --gpus',
      });
    }
  }
  if (options.tp !== undefined) {
    const valid = validTensorParallelSizes(model, 64);
    if (!valid.includes(options.tp)) {
      throw new DevstralError('usage', `--tp ${options.tp} must divide the ${model.architecture.heads} attention heads and ${model.architecture.kvHeads} KV heads`, { hint: `use one of ${valid.join(', ')}` });
    }
    const group = vllmGpus(facts, options);
    // --tp is vLLM's split over NVIDIA GPUs: meaningless without them, whatever else would run.
    if (typeof group === 'string') throw new DevstralError('usage', `--tp ${options.tp}: tensor parallelism is vLLM's, over NVIDIA GPUs; ${group.replace(/^vLLM /, 'it ')}`, { hint: 'leave out --tp here, or plan for a machine with NVIDIA GPUs: --hardware (see `devstral profiles list`)' });
    if (options.tp > group.length) {
      throw new DevstralError('usage', `--tp ${options.tp} needs ${options.tp} identical NVIDIA GPUs; ${group.length} usable here`, { hint: `use --tp ${valid.filter((v) => v <= group.length).pop()}` });
    }
  }
  if (options.nodes !== undefined && options.nodes > 1) {
    const group = vllmGpus(facts, options);
    if (typeof group === 'string') throw new DevstralError('usage', `--nodes ${options.nodes}: serving across machines is vLLM's, over NVIDIA GPUs; ${group.replace(/^vLLM /, 'it ')}`, { hint: 'plan for a node with NVIDIA GPUs: --hardware (see `devstral profiles list`)' });
  }
}
