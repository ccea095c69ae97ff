/** `devstral serve` (our node-llama-cpp server) and the equivalent `llama-server` command. Pure. */
import type { ModelProfile } from '../profiles/modelProfile.js';
import type { LaunchCommand, PlanCore, ResolvedServeOptions } from '../plan/plan.js';
import { parseHfSource } from './hfRepo.js';

const GPU_FLAG: Record<PlanCore['device'], string> = { cuda: 'cuda', metal: 'metal', vulkan: 'vulkan', rocm: 'vulkan', cpu: 'none' };

export function buildDevstralServeCommand(plan: PlanCore, model: ModelProfile, serve: ResolvedServeOptions): LaunchCommand {
  const argv = ['devstral', 'serve', '--model', plan.artifact.source, '--ctx', String(plan.contextLength)];
  argv.push('--gpu', GPU_FLAG[plan.device], '--gpu-layers', plan.gpuLayers === plan.layers ? 'max' : String(plan.gpuLayers ?? 0));
  if (plan.kvCacheType === 'q8_0') argv.push('--kv-cache-type', 'q8_0');
  argv.push('--served-model-name', serve.servedModelName ?? model.id, '--host', serve.host, '--port', String(serve.port));
  if (serve.apiKey) argv.push('--api-key', serve.apiKey);
  return { argv, env: {} };
}

/** For users who have llama.cpp: `--jinja` uses the GGUF's own chat template (Devstral's tool-call format). */
export function buildLlamaServerCommand(plan: PlanCore, model: ModelProfile, serve: ResolvedServeOptions): LaunchCommand {
  const { repo, path } = parseHfSource(plan.artifact.source);
  const argv = ['llama-server', '--hf-repo', repo, '--hf-file', path ?? '', '--jinja', '-c', String(plan.contextLength)];
  // 999 offloads every layer including the output layer.
  argv.push('-ngl', plan.gpuLayers === plan.layers ? '999' : String(plan.gpuLayers ?? 0));
  if (plan.kvCacheType === 'q8_0') argv.push('-fa', 'on', '-ctk', 'q8_0', '-ctv', 'q8_0');
  argv.push('--temp', String(model.sampling.temperature));
  if (model.sampling.minP !== undefined) argv.push('--min-p', String(model.sampling.minP));
  argv.push('--alias', serve.servedModelName ?? model.id, '--host', serve.host, '--port', String(serve.port));
  if (serve.apiKey) argv.push('--api-key', serve.apiKey);
  return { argv, env: {} };
}
