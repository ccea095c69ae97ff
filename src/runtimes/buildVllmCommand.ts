/** The `vllm serve` command for a plan, and its docker form. Pure; every option is checked against vLLM's list in the tests. */
import { DevstralError } from '../errors.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { LaunchCommand, PlanCore, ResolvedServeOptions } from '../planShapes.js';
import { indexedGpus } from '../hardware/indexedGpus.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { parseHfRef } from '../profiles/parseHfRef.js';
import { deviceEnv } from './deviceEnv.js';
import { hostPort, isIpAddress } from './hostPort.js';

/** GeForce and TITAN cards have peer-to-peer disabled; NCCL can hang probing it. */
export const isConsumerGpu = (name: string) => /geforce|titan/i.test(name);

const usesConsumerGpus = (plan: PlanCore, facts: HardwareFacts) =>
  (plan.tensorParallelSize ?? 1) > 1 && indexedGpus(facts).some((g) => plan.gpus.includes(g.index) && isConsumerGpu(g.name));

/** Arguments after `vllm serve` (shared by the shell and docker forms). */
export function buildVllmArgs(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, serve: ResolvedServeOptions): string[] {
  const artifact = model.artifacts.find((a) => a.id === plan.artifact.id);
  const args = [parseHfRef(plan.artifact.source).repo];
  if (plan.artifact.revision) args.push('--revision', plan.artifact.revision);
  if (artifact?.vllmArgs) {
    args.push(...artifact.vllmArgs);
  } else if (artifact?.layout === 'mistral') {
    args.push('--tokenizer-mode', 'mistral', '--config-format', 'mistral', '--load-format', 'mistral');
  } else {
    // HF-layout community checkpoints: HF config and weights, but Mistral's own tokenizer (tekken.json) either
    // shipped with them or taken from the original repo.
    if (artifact?.tokenizer) args.push('--tokenizer', artifact.tokenizer);
    args.push('--tokenizer-mode', 'mistral');
  }
  args.push(...model.vllm.args);
  args.push('--tensor-parallel-size', String(plan.tensorParallelSize ?? 1));
  if ((plan.pipelineParallelSize ?? 1) > 1) args.push('--pipeline-parallel-size', String(plan.pipelineParallelSize));
  args.push('--max-model-len', String(plan.contextLength));
  args.push('--gpu-memory-utilization', String(plan.gpuMemoryUtilization ?? 0.9));
  if (plan.kvCacheType === 'fp8') args.push('--kv-cache-dtype', 'fp8');
  if (usesConsumerGpus(plan, facts)) args.push('--disable-custom-all-reduce');
  args.push('--override-generation-config', JSON.stringify({ temperature: model.sampling.temperature }));
  args.push('--served-model-name', serve.servedModelName ?? model.id, '--host', serve.host, '--port', String(serve.port));
  return args;
}

/** The API key goes in VLLM_API_KEY, not on the command line where `ps` shows it. */
export function buildVllmEnv(plan: PlanCore, facts: HardwareFacts, serve: ResolvedServeOptions): Record<string, string> {
  const env = deviceEnv(plan, facts);
  if (usesConsumerGpus(plan, facts)) env.NCCL_P2P_DISABLE = '1';
  if (serve.apiKey) env.VLLM_API_KEY = serve.apiKey;
  return env;
}

/** The head node's address in multi-node commands: set on every node before pasting them. */
export const HEAD_ADDR = '$HEAD_ADDR';

/** vLLM's own multi-node mode (no Ray): every node runs the same command with its rank; only node 0 serves HTTP. */
export function nodeArgs(plan: PlanCore, rank: number, headAddress = HEAD_ADDR): string[] {
  if (plan.nodes <= 1) return [];
  return ['--nnodes', String(plan.nodes), '--node-rank', String(rank), '--master-addr', headAddress, ...(rank > 0 ? ['--headless'] : [])];
}

/** The command for node `rank` (0: the head, the only one that serves; the plan's own command). */
export function buildVllmCommand(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, serve: ResolvedServeOptions, rank = 0): LaunchCommand {
  return { argv: ['vllm', 'serve', ...buildVllmArgs(plan, model, facts, serve), ...nodeArgs(plan, rank)], env: buildVllmEnv(plan, facts, serve) };
}

export const VLLM_IMAGE = 'vllm/vllm-openai:latest';
/** Expanded by the shell where the command is pasted (see renderShellCommand). */
export const HF_CACHE_MOUNT = '$HOME/.cache/huggingface:/root/.cache/huggingface';

/** The same server in vLLM's official image: GPUs, shared memory for NCCL, the HF cache mounted, HF_TOKEN passed through. */
export function buildVllmDockerCommand(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, serve: ResolvedServeOptions, rank = 0): LaunchCommand {
  const host = serve.host === 'localhost' ? '127.0.0.1' : serve.host;
  if (!isIpAddress(host)) {
    throw new DevstralError('usage', `--host ${serve.host}: docker publishes ports on an IP address, not a host name`, { hint: 'use --host 127.0.0.1 or --host 0.0.0.0' });
  }
  const env = buildVllmEnv(plan, facts, serve);
  const gpus = env.CUDA_VISIBLE_DEVICES ? `"device=${env.CUDA_VISIBLE_DEVICES}"` : 'all';
  const publish = host === '0.0.0.0' || host === '::' ? `${serve.port}:${serve.port}` : `${hostPort(host, serve.port)}:${serve.port}`;
  // Across nodes the ranks reach each other on ports vLLM and NCCL choose: the host's network, not one published port.
  const network = plan.nodes > 1 ? ['--network', 'host'] : ['-p', publish];
  const argv = ['docker', 'run', '--rm', '--gpus', gpus, '--ipc=host', ...network, '-v', HF_CACHE_MOUNT, '-e', 'HF_TOKEN'];
  // Inside the container the GPUs are already the chosen ones, numbered from 0.
  for (const [key, value] of Object.entries(env)) if (!key.startsWith('CUDA_')) argv.push('-e', `${key}=${value}`);
  if (plan.nodes > 1) argv.push('-e', 'NCCL_SOCKET_IFNAME', '-e', 'GLOO_SOCKET_IFNAME');
  argv.push(VLLM_IMAGE, ...buildVllmArgs(plan, model, facts, { ...serve, host: plan.nodes > 1 ? serve.host : '0.0.0.0' }), ...nodeArgs(plan, rank));
  return { argv, env: {} };
}
