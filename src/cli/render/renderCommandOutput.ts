/** `devstral command` output in each format. Pure. */
import { DevstralError } from '../../errors.js';
import type { HardwareFacts } from '../../hardware/hardwareFacts.js';
import type { Plan, ResolvedServeOptions, ServeOptions } from '../../planShapes.js';
import type { ModelProfile } from '../../profiles/modelProfile.js';
import { resolveServeOptions } from '../../runtimes/buildLaunchCommand.js';
import { buildLlamaServerCommand } from '../../runtimes/buildLlamaServerCommand.js';
import { buildVllmDockerCommand, HEAD_ADDR, HF_CACHE_MOUNT, VLLM_IMAGE } from '../../runtimes/buildVllmCommand.js';
import { multiNodeChecklist, vllmNodeCommands } from '../../runtimes/vllmNodes.js';
import { renderShellCommand, shellQuote } from '../../runtimes/shellQuote.js';
import { renderLaunchCommand } from './renderLaunchCommand.js';

export const COMMAND_FORMATS = ['shell', 'docker', 'json'] as const;
export type CommandFormat = (typeof COMMAND_FORMATS)[number];
export const isCommandFormat = (value: string): value is CommandFormat => (COMMAND_FORMATS as readonly string[]).includes(value);

export function renderCommandOutput(plan: Plan, model: ModelProfile, facts: HardwareFacts, options: ServeOptions, format: CommandFormat): string {
  const serve = resolveServeOptions(plan, facts, options);
  const llamaServer = plan.runtime === 'llamacpp' ? buildLlamaServerCommand(plan, model, facts, serve) : undefined;
  if (plan.nodes > 1 && format !== 'json') return renderNodes(plan, model, facts, serve, format === 'docker');
  switch (format) {
    case 'json': {
      const docker = plan.runtime === 'vllm' ? buildVllmDockerCommand(plan, model, facts, serve) : undefined;
      const nodes = plan.nodes > 1 ? { nodes: vllmNodeCommands(plan, model, facts, serve), checklist: multiNodeChecklist(plan, model) } : {};
      return JSON.stringify({ runtime: plan.runtime, endpoint: plan.endpoint, command: plan.command, ...(llamaServer ? { llamaServer } : {}), ...(docker ? { docker } : {}), ...nodes }, null, 2);
    }
    case 'docker': {
      if (plan.runtime !== 'vllm') {
        throw new DevstralError('usage', `--format docker is for vLLM plans (the ${VLLM_IMAGE} image); this plan runs ${plan.runtime}`, {
          hint: 'use --format shell, or --runtime vllm on a machine with NVIDIA GPUs',
        });
      }
      const docker = buildVllmDockerCommand(plan, model, facts, serve);
      return renderShellCommand(docker.argv, docker.env, [HF_CACHE_MOUNT]);
    }
    case 'shell': {
      const text = renderLaunchCommand(plan.command);
      return llamaServer ? `${text}\n# or, with llama.cpp's own server:\n${renderShellCommand(llamaServer.argv, llamaServer.env)}` : text;
    }
  }
}

/** Every node's command, with what to check first. */
function renderNodes(plan: Plan, model: ModelProfile, facts: HardwareFacts, serve: ResolvedServeOptions, docker: boolean): string {
  const lines = ['# Before starting, on every node:', ...multiNodeChecklist(plan, model).map((l) => `#   - ${l}`), `export HEAD_ADDR=${shellQuote('<node 0 address>')}`];
  vllmNodeCommands(plan, model, facts, serve, docker).forEach((command, rank) => {
    lines.push('', rank === 0 ? `# node 0 (the head; serves ${plan.endpoint.baseUrl} once every node has joined):` : `# node ${rank}:`);
    lines.push(renderShellCommand(command.argv, command.env, [HEAD_ADDR, HF_CACHE_MOUNT]));
  });
  return lines.join('\n');
}
