/**
 * Ollama with the planned context made real. Its OpenAI endpoint ignores num_ctx and silently truncates at
 * its own default, so the context is set twice: OLLAMA_CONTEXT_LENGTH for a server we start, and a derived
 * model (num_ctx, Devstral's temperature) that holds even on a server someone else started. Pure.
 */
import type { LaunchCommand, PlanCore, ResolvedServeOptions } from '../planShapes.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { clientHost, hostPort } from './hostPort.js';

export const OLLAMA_DEFAULT_PORT = 11434;
export const MODELFILE_NAME = 'Modelfile.devstral';

export function ollamaModelName(plan: PlanCore, model: ModelProfile, serve: ResolvedServeOptions): string {
  return serve.servedModelName ?? `${model.id}-${Math.round(plan.contextLength / 1024)}k`;
}

export function buildOllamaModelfile(plan: PlanCore, model: ModelProfile): string {
  return [
    `FROM ${plan.artifact.ollama}`,
    `PARAMETER num_ctx ${plan.contextLength}`,
    `PARAMETER temperature ${model.sampling.temperature}`,
    ...(plan.gpuLayers !== null && plan.gpuLayers < plan.layers ? [`PARAMETER num_gpu ${plan.gpuLayers}`] : []),
    '',
  ].join('\n');
}

/** `reuse`: an Ollama server already answers at serve.host:port, so nothing is started. */
export function buildOllamaCommand(plan: PlanCore, model: ModelProfile, serve: ResolvedServeOptions & { reuse?: boolean }, env: Record<string, string> = {}): LaunchCommand {
  const host = { OLLAMA_HOST: hostPort(clientHost(serve.host), serve.port) };
  const name = ollamaModelName(plan, model, serve);
  const setup = [
    { argv: ['ollama', 'pull', plan.artifact.ollama!], env: host },
    { argv: ['ollama', 'create', name, '-f', MODELFILE_NAME], env: host },
  ];
  const files = [{ path: MODELFILE_NAME, content: buildOllamaModelfile(plan, model) }];
  if (serve.reuse) return { argv: [], env: {}, setup, files };
  const serverEnv: Record<string, string> = {
    ...env,
    OLLAMA_HOST: hostPort(serve.host, serve.port),
    OLLAMA_CONTEXT_LENGTH: String(plan.contextLength),
    OLLAMA_KEEP_ALIVE: '-1',
    OLLAMA_FLASH_ATTENTION: '1',
  };
  if (plan.kvCacheType === 'q8_0') serverEnv.OLLAMA_KV_CACHE_TYPE = 'q8_0';
  return { argv: ['ollama', 'serve'], env: serverEnv, readyUrl: `http://${host.OLLAMA_HOST}/api/version`, setup, files };
}
