import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import type { LaunchCommand, PlanCore, ServeOptions } from '../plan/plan.js';
import { buildDevstralServeCommand } from './buildLlamaCppCommand.js';
import { buildOllamaCommand, OLLAMA_DEFAULT_PORT } from './buildOllamaCommand.js';
import { buildVllmCommand, type VllmContext } from './buildVllmCommand.js';

export function vllmContext(plan: PlanCore, model: ModelProfile, facts: HardwareFacts): VllmContext {
  const indexed = facts.gpus.map((g, i) => ({ ...g, index: g.index ?? i }));
  return {
    model,
    gpuNames: indexed.filter((g) => plan.gpus.includes(g.index)).map((g) => g.name),
    allGpuIndices: indexed.map((g) => g.index),
  };
}

/** The command that starts the planned server. Pure. */
export const DEFAULT_PORTS = { vllm: 8000, llamacpp: 8000, ollama: OLLAMA_DEFAULT_PORT } as const;

export function buildLaunchCommand(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, options: ServeOptions): LaunchCommand {
  const serve = { ...options, port: options.port ?? DEFAULT_PORTS[plan.runtime] };
  switch (plan.runtime) {
    case 'vllm':
      return buildVllmCommand(plan, vllmContext(plan, model, facts), serve);
    case 'ollama':
      return buildOllamaCommand(plan, model, serve);
    case 'llamacpp':
      return buildDevstralServeCommand(plan, model, serve);
  }
}
