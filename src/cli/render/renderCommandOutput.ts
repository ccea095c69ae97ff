/** `devstral command` output in each format. Pure. */
import { DevstralError } from '../../errors.js';
import type { HardwareFacts } from '../../hardware/hardwareFacts.js';
import type { ModelProfile } from '../../profiles/modelProfile.js';
import type { Plan, ServeOptions } from '../../plan/plan.js';
import { DEFAULT_PORTS, vllmContext } from '../../runtimes/buildLaunchCommand.js';
import { buildLlamaServerCommand } from '../../runtimes/buildLlamaCppCommand.js';
import { buildVllmDockerCommand, HF_CACHE_MOUNT } from '../../runtimes/buildVllmCommand.js';
import { renderShellCommand } from '../../runtimes/shellQuote.js';
import { renderLaunchCommand } from './renderLaunchCommand.js';

export type CommandFormat = 'shell' | 'docker' | 'json';
export const COMMAND_FORMATS: readonly CommandFormat[] = ['shell', 'docker', 'json'];

export function renderCommandOutput(plan: Plan, model: ModelProfile, facts: HardwareFacts, options: ServeOptions, format: CommandFormat): string {
  const serve = { ...options, port: options.port ?? DEFAULT_PORTS[plan.runtime] };
  const llamaServer = plan.runtime === 'llamacpp' ? buildLlamaServerCommand(plan, model, serve) : undefined;
  const docker = plan.runtime === 'vllm' ? buildVllmDockerCommand(plan, vllmContext(plan, model, facts), serve) : undefined;
  switch (format) {
    case 'json':
      return JSON.stringify(
        { runtime: plan.runtime, command: plan.command, ...(llamaServer ? { llamaServer } : {}), ...(docker ? { docker } : {}) },
        null,
        2,
      );
    case 'docker':
      if (!docker) {
        throw new DevstralError('usage', `--format docker is for vLLM plans (the ${'vllm/vllm-openai'} image); this plan runs ${plan.runtime}`, {
          hint: 'use --format shell, or --runtime vllm on a machine with NVIDIA GPUs',
        });
      }
      return renderShellCommand(docker.argv, docker.env, [HF_CACHE_MOUNT]);
    case 'shell': {
      const text = renderLaunchCommand(plan.command);
      return llamaServer ? `${text}\n# or, with llama.cpp's own server:\n${renderShellCommand(llamaServer.argv, llamaServer.env)}` : text;
    }
  }
}
