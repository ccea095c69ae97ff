import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { Device, LaunchCommand, PlanCore, ResolvedServeOptions } from '../planShapes.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { deviceEnv } from './deviceEnv.js';

const GPU_FLAG: Record<Device, string> = { cuda: 'cuda', metal: 'metal', vulkan: 'vulkan', cpu: 'none' };

/** `devstral serve`: our OpenAI-compatible server on node-llama-cpp. Pure. */
export function buildDevstralServeCommand(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, serve: ResolvedServeOptions): LaunchCommand {
  const local = plan.artifact.source.startsWith('file:');
  const source = local ? plan.artifact.source.slice(5) : plan.artifact.revision ? `${plan.artifact.source}@${plan.artifact.revision}` : plan.artifact.source;
  const argv = ['devstral', 'serve', '--model', source, '--ctx', String(plan.contextLength)];
  argv.push('--gpu', GPU_FLAG[plan.device], '--gpu-layers', plan.gpuLayers === plan.layers ? 'max' : String(plan.gpuLayers ?? 0));
  if (plan.kvCacheType === 'q8_0') argv.push('--kv-cache-type', 'q8_0');
  argv.push('--served-model-name', serve.servedModelName ?? model.id, '--host', serve.host, '--port', String(serve.port));
  if (serve.apiKey) argv.push('--api-key', serve.apiKey);
  return { argv, env: deviceEnv(plan, facts) };
}
