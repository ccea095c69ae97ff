/** A plan across several machines: what runs on each node, and what must hold on all of them first. Pure. */
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { LaunchCommand, PlanCore, ResolvedServeOptions } from '../planShapes.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { buildVllmCommand, buildVllmDockerCommand } from './buildVllmCommand.js';

/** One command per node, rank 0 (the head, the one that serves) first. */
export function vllmNodeCommands(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, serve: ResolvedServeOptions, docker = false): LaunchCommand[] {
  return Array.from({ length: plan.nodes }, (_, rank) => (docker ? buildVllmDockerCommand(plan, model, facts, serve, rank) : buildVllmCommand(plan, model, facts, serve, rank)));
}

/**
 * What must be true before the nodes start; each line is a thing to check. On Kubernetes the LeaderWorkerSet gives
 * the leader's address, the image is the same everywhere and each pod downloads into its own volume.
 */
export function multiNodeChecklist(plan: PlanCore, model: ModelProfile, where: 'machines' | 'kubernetes' = 'machines'): string[] {
  const machines = where === 'machines';
  return [
    `${plan.nodes} ${machines ? 'machines' : 'GPU nodes'} like the one planned for, each with ${plan.tensorParallelSize} GPUs; node 0 serves the API, the others run --headless`,
    ...(machines
      ? [
          'HEAD_ADDR set to node 0\'s address on every node (the address the nodes reach each other on, not a public one)',
          'the same vLLM version (and the same image) on every node',
          `the weights on every node, in each node's Hugging Face cache: devstral pull ${model.id} (or a shared volume)`,
        ]
      : []),
    `the ${machines ? 'nodes' : 'pods'} reach each other on all TCP ports (vLLM's master port and NCCL pick theirs): no firewall${machines ? '' : ' or NetworkPolicy'} between them`,
    'with several network interfaces: NCCL_SOCKET_IFNAME and GLOO_SOCKET_IFNAME set to the one between the nodes (e.g. eth0); with InfiniBand, NCCL uses it by itself (NCCL_IB_HCA picks the adapters)',
    `pipeline parallel sends only activations between nodes, but a 10 GbE link still slows each token: 100 Gb/s or InfiniBand is what this is built for`,
  ];
}
