/** The `vllm serve` command for a plan. Pure; every option is checked against vLLM's list in the tests. */
import type { ModelProfile } from '../profiles/modelProfile.js';
import type { LaunchCommand, PlanCore, ResolvedServeOptions } from '../plan/plan.js';
import { parseHfSource } from './hfRepo.js';

/** GeForce and TITAN cards have peer-to-peer disabled; NCCL can hang probing it. */
export const isConsumerGpu = (name: string) => /geforce|titan/i.test(name);

export interface VllmContext {
  model: ModelProfile;
  /** Names of the planned GPUs (to decide on NCCL settings). */
  gpuNames: string[];
  /** All GPU indices on the machine, to know whether a subset must be selected. */
  allGpuIndices: number[];
}

/** Arguments after `vllm serve` (shared by the shell and docker forms). */
export function buildVllmArgs(plan: PlanCore, ctx: VllmContext, serve: ResolvedServeOptions): string[] {
  const artifact = ctx.model.artifacts.find((a) => a.id === plan.artifact.id);
  const { repo } = parseHfSource(plan.artifact.source);
  const args = [repo];
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
  args.push(...ctx.model.vllm.args);
  args.push('--tensor-parallel-size', String(plan.tensorParallelSize ?? 1), '--max-model-len', String(plan.contextLength));
  args.push('--gpu-memory-utilization', String(plan.gpuMemoryUtilization ?? 0.9));
  if (plan.kvCacheType === 'fp8') args.push('--kv-cache-dtype', 'fp8');
  if ((plan.tensorParallelSize ?? 1) > 1 && ctx.gpuNames.some(isConsumerGpu)) args.push('--disable-custom-all-reduce');
  args.push('--override-generation-config', JSON.stringify({ temperature: ctx.model.sampling.temperature }));
  args.push('--served-model-name', serve.servedModelName ?? ctx.model.id, '--host', serve.host, '--port', String(serve.port));
  if (serve.apiKey) args.push('--api-key', serve.apiKey);
  return args;
}

export function buildVllmEnv(plan: PlanCore, ctx: VllmContext): Record<string, string> {
  const env: Record<string, string> = {};
  if (plan.gpus.length < ctx.allGpuIndices.length) env.CUDA_VISIBLE_DEVICES = plan.gpus.join(',');
  if ((plan.tensorParallelSize ?? 1) > 1 && ctx.gpuNames.some(isConsumerGpu)) env.NCCL_P2P_DISABLE = '1';
  return env;
}

export function buildVllmCommand(plan: PlanCore, ctx: VllmContext, serve: ResolvedServeOptions): LaunchCommand {
  return { argv: ['vllm', 'serve', ...buildVllmArgs(plan, ctx, serve)], env: buildVllmEnv(plan, ctx) };
}

export const VLLM_IMAGE = 'vllm/vllm-openai:latest';
/** Expanded by the shell where the command is pasted (see renderShellCommand). */
export const HF_CACHE_MOUNT = '$HOME/.cache/huggingface:/root/.cache/huggingface';

/** The same server in vLLM's official image: GPUs, shared memory for NCCL, the HF cache mounted, HF_TOKEN passed through. */
export function buildVllmDockerCommand(plan: PlanCore, ctx: VllmContext, serve: ResolvedServeOptions): LaunchCommand {
  const env = buildVllmEnv(plan, ctx);
  const gpus = env.CUDA_VISIBLE_DEVICES ? `"device=${env.CUDA_VISIBLE_DEVICES}"` : 'all';
  const publish = serve.host === '0.0.0.0' || serve.host === '::' ? `${serve.port}:${serve.port}` : `${serve.host}:${serve.port}:${serve.port}`;
  const args = buildVllmArgs(plan, ctx, { ...serve, host: '0.0.0.0' });
  const argv = ['docker', 'run', '--rm', '--gpus', gpus, '--ipc=host', '-p', publish];
  argv.push('-v', HF_CACHE_MOUNT, '-e', 'HF_TOKEN');
  if (env.NCCL_P2P_DISABLE) argv.push('-e', 'NCCL_P2P_DISABLE=1');
  argv.push(VLLM_IMAGE, ...args);
  return { argv, env: {} };
}
