import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { LaunchCommand, PlanCore, ResolvedServeOptions } from '../planShapes.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { parseHfRef } from '../profiles/parseHfRef.js';
import { deviceEnv } from './deviceEnv.js';

/**
 * The same plan for users who have llama.cpp: `--jinja` uses the GGUF's own chat template (Devstral's
 * tool-call format). Pure.
 */
export function buildLlamaServerCommand(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, serve: ResolvedServeOptions): LaunchCommand {
  const source = plan.artifact.source;
  const weights = source.startsWith('file:') ? ['-m', source.slice(5)] : ['--hf-repo', parseHfRef(source).repo, '--hf-file', parseHfRef(source).path ?? ''];
  const argv = ['llama-server', ...weights, '--jinja', '-c', String(plan.contextLength)];
  // 999 offloads every layer including the output layer.
  argv.push('-ngl', plan.gpuLayers === plan.layers ? '999' : String(plan.gpuLayers ?? 0));
  if (plan.kvCacheType === 'q8_0') argv.push('-fa', 'on', '-ctk', 'q8_0', '-ctv', 'q8_0');
  argv.push('--temp', String(model.sampling.temperature));
  if (model.sampling.minP !== undefined) argv.push('--min-p', String(model.sampling.minP));
  argv.push('--alias', serve.servedModelName ?? model.id, '--host', serve.host, '--port', String(serve.port));
  if (serve.apiKey) argv.push('--api-key', serve.apiKey);
  return { argv, env: deviceEnv(plan, facts) };
}
