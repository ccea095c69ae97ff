import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { LaunchCommand, PlanCore, ResolvedServeOptions, ServeOptions } from '../planShapes.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { buildDevstralServeCommand } from './buildDevstralServeCommand.js';
import { buildOllamaCommand, OLLAMA_DEFAULT_PORT } from './buildOllamaCommand.js';
import { buildVllmCommand } from './buildVllmCommand.js';
import { deviceEnv } from './deviceEnv.js';

export const DEFAULT_PORTS = { vllm: 8000, llamacpp: 8000, ollama: OLLAMA_DEFAULT_PORT } as const;

export type LaunchServeOptions = ResolvedServeOptions & { reuse?: boolean };

/**
 * Fills in the runtime's default port. An Ollama server that already runs (and no --port asked for
 * another) is reused where it listens.
 */
export function resolveServeOptions(plan: PlanCore, facts: HardwareFacts, serve: ServeOptions): LaunchServeOptions {
  const running = facts.runtimes?.ollama;
  if (plan.runtime === 'ollama' && running?.running && serve.port === undefined) {
    const url = new URL(running.host ?? `http://127.0.0.1:${OLLAMA_DEFAULT_PORT}`);
    return { ...serve, host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || OLLAMA_DEFAULT_PORT), reuse: true };
  }
  return { ...serve, port: serve.port ?? DEFAULT_PORTS[plan.runtime] };
}

/** The command that starts the planned server. Pure. */
export function buildLaunchCommand(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, serve: LaunchServeOptions): LaunchCommand {
  switch (plan.runtime) {
    case 'vllm':
      return buildVllmCommand(plan, model, facts, serve);
    case 'ollama':
      return buildOllamaCommand(plan, model, serve, deviceEnv(plan, facts));
    case 'llamacpp':
      return buildDevstralServeCommand(plan, model, facts, serve);
  }
}
