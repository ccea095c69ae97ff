/**
 * What every deployment target runs, from the plan: the image, the server's arguments, the secrets it reads from the
 * environment (never written into a file), the ports and probes, and how long a first start may take. Pure.
 */
import { DevstralError } from '../errors.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import { GiB } from '../plan/estimateMemory.js';
import { estimateStartupSeconds } from '../plan/estimateStartup.js';
import type { PlanCore, ResolvedServeOptions } from '../planShapes.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { buildLlamaServerCommand } from '../runtimes/buildLlamaServerCommand.js';
import { buildOllamaCommand, buildOllamaModelfile } from '../runtimes/buildOllamaCommand.js';
import { buildVllmArgs, buildVllmEnv, nodeArgs } from '../runtimes/buildVllmCommand.js';
import { deviceEnv } from '../runtimes/deviceEnv.js';
import { clientHost, hostPort } from '../runtimes/hostPort.js';
import { planEndpoint } from '../runtimes/planEndpoint.js';
import { renderShellCommand } from '../runtimes/shellQuote.js';

/**
 * Pinned images (tags seen in use in public manifests, October to December 2026; a pinned tag does not move under a
 * running deployment). vLLM's image runs `vllm serve` with the arguments it is given; llama.cpp's runs llama-server;
 * Ollama's runs `ollama`.
 */
export const VLLM_VERSION = '0.31.0';
export const IMAGES = {
  vllm: `vllm/vllm-openai:v${VLLM_VERSION}`,
  llamacppCuda: 'ghcr.io/ggml-org/llama.cpp:server-cuda-b11382',
  llamacppCpu: 'ghcr.io/ggml-org/llama.cpp:server-b11382',
  ollama: 'ollama/ollama:0.35.1',
} as const;

/** Where a container keeps downloaded weights (a volume, so a restart does not download again). */
export const CONTAINER_CACHE = '/root/.cache';
const OLLAMA_CACHE = '/root/.ollama';
/** Where a container finds the Ollama model file deploy writes, and a local GGUF. */
export const CONTAINER_MODELFILE = '/etc/devstral/Modelfile';
const CONTAINER_MODELS = '/models';

export interface SecretEnv {
  name: string;
  required: boolean;
  what: string;
}

export interface ServerSpec {
  runtime: 'vllm' | 'llamacpp' | 'ollama';
  image: string;
  /** The model name clients ask for. */
  model: string;
  /** Replaces the image's entrypoint (Ollama: a shell that serves and prepares the model). */
  entrypoint?: string[];
  /** Arguments after the entrypoint, listening on 0.0.0.0 (secrets excluded). */
  containerArgs: string[];
  /** The whole command on a bare machine (secrets excluded). */
  argv: string[];
  /** Plain settings for the server process (GPU selection only on a bare machine). */
  env: Record<string, string>;
  containerEnv: Record<string, string>;
  secrets: SecretEnv[];
  port: number;
  /** Answers 200 once the process is up (no key needed). */
  healthPath: string;
  /** Answers once the model is loaded (needs the key when there is one). */
  readyPath: string;
  /** Succeeds, run inside the container, once the model can be used (Ollama: the planned model exists). */
  readyCommand?: string[];
  /** Where a container keeps the weights. */
  cacheDir: string;
  /** A GGUF on this machine: the container reads it, mounted read-only, at `containerPath`. */
  modelFile?: { hostPath: string; containerPath: string };
  /** Ollama: its model file, and the shell commands that pull and create the planned model once the server answers. */
  ollama?: { modelfile: string; prepare: (modelfilePath: string) => string };
  gpus: number;
  /** The GPUs by index when the plan uses some of them (--gpus); otherwise any `gpus` of them. */
  gpuIds?: string[];
  /** Shared memory for NCCL between tensor-parallel ranks. */
  shmBytes: number;
  /** Where a client on the machine that runs it reaches the server (bare machine or published port). */
  localUrl: string;
  /** RAM the server needs: what the plan keeps in RAM, plus the process itself. */
  memoryBytes: number;
  /** A first start: download the weights, then load them (the planner's estimate). */
  startupSeconds: number;
}

/**
 * Node `rank` of the plan (0 on one machine). `apiKey` is only whether one is required: its value stays out.
 * `dataParallel` copies of a vLLM plan in one server (--data-parallel-size): each on the plan's tensor-parallel GPUs.
 */
export function serverSpec(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, serve: ResolvedServeOptions, rank = 0, dataParallel = 1): ServerSpec {
  const keyed = serve.apiKey !== undefined;
  const noKey = { ...serve, apiKey: undefined } as ResolvedServeOptions;
  const common = {
    port: serve.port,
    model: planEndpoint(plan, model, serve).model,
    localUrl: `http://${hostPort(clientHost(serve.host), serve.port)}`,
    // 4 GiB for the process: CUDA context, tokenizer, Python or Go runtime, request buffers.
    memoryBytes: (plan.memory.ramBytes ?? 0) + 4 * GiB,
    startupSeconds: estimateStartupSeconds(plan.artifact.bytes),
  };
  const http = { healthPath: '/health', readyPath: '/v1/models', cacheDir: CONTAINER_CACHE };
  const hfToken: SecretEnv = { name: 'HF_TOKEN', required: false, what: 'a Hugging Face token (gated or private weights; faster downloads)' };
  if (plan.runtime === 'vllm') {
    const dp = dataParallel > 1 ? ['--data-parallel-size', String(dataParallel)] : [];
    const args = (host: string) => [...buildVllmArgs(plan, model, facts, { ...noKey, host }), ...dp, ...nodeArgs(plan, rank)];
    const planned = buildVllmEnv(plan, facts, noKey);
    // Data-parallel copies take GPUs beyond the plan's own: no restriction to those.
    const { CUDA_DEVICE_ORDER: _o, CUDA_VISIBLE_DEVICES: _v, ...unrestricted } = planned;
    const env = dataParallel > 1 ? unrestricted : planned;
    return {
      runtime: 'vllm',
      image: IMAGES.vllm,
      containerArgs: args('0.0.0.0'),
      argv: ['vllm', 'serve', ...args(serve.host)],
      env,
      containerEnv: unrestricted,
      secrets: [hfToken, ...(keyed ? [{ name: 'VLLM_API_KEY', required: true, what: 'the API key clients send (vLLM reads it from here)' }] : [])],
      gpus: plan.gpus.length * dataParallel,
      ...(env.CUDA_VISIBLE_DEVICES ? { gpuIds: env.CUDA_VISIBLE_DEVICES.split(',') } : {}),
      shmBytes: Math.max(2, 2 * (plan.tensorParallelSize ?? 1) * dataParallel) * GiB,
      ...common,
      ...http,
    };
  }
  if (plan.device !== 'cuda' && plan.device !== 'cpu') {
    throw new DevstralError('usage', `this plan runs ${plan.runtime} on ${plan.device}; the deployment targets run Linux servers with NVIDIA GPUs or CPUs`, { hint: 'plan for the server: --hardware (see devstral profiles list)' });
  }
  if (plan.runtime === 'llamacpp') {
    const command = (host: string) => buildLlamaServerCommand(plan, model, facts, { ...noKey, host });
    const onGpu = plan.device === 'cuda';
    const { env } = command(serve.host);
    const { CUDA_DEVICE_ORDER: _o, CUDA_VISIBLE_DEVICES: _v, ...containerEnv } = env;
    const local = plan.artifact.source.startsWith('file:') ? plan.artifact.source.slice(5) : undefined;
    const modelFile = local ? { hostPath: local, containerPath: `${CONTAINER_MODELS}/${local.split('/').pop()!}` } : undefined;
    const containerArgs = command('0.0.0.0').argv.slice(1).map((a) => (a === local ? modelFile!.containerPath : a));
    return {
      runtime: 'llamacpp',
      image: onGpu ? IMAGES.llamacppCuda : IMAGES.llamacppCpu,
      containerArgs,
      ...(modelFile ? { modelFile } : {}),
      argv: command(serve.host).argv,
      env,
      containerEnv,
      secrets: [hfToken, ...(keyed ? [{ name: 'LLAMA_API_KEY', required: true, what: 'the API key clients send (llama-server reads it from here)' }] : [])],
      gpus: onGpu ? plan.gpus.length : 0,
      ...(env.CUDA_VISIBLE_DEVICES ? { gpuIds: env.CUDA_VISIBLE_DEVICES.split(',') } : {}),
      shmBytes: 0,
      ...common,
      ...http,
    };
  }
  return ollamaSpec(plan, model, facts, serve, keyed, common);
}

/**
 * Ollama serves, then pulls the planned GGUF and creates the model with the planned context from the model file
 * (what `up` does). Both are skipped when the model exists: a restart needs no network.
 */
function ollamaSpec(plan: PlanCore, model: ModelProfile, facts: HardwareFacts, serve: ResolvedServeOptions, keyed: boolean, common: Pick<ServerSpec, 'port' | 'model' | 'localUrl' | 'memoryBytes' | 'startupSeconds'>): ServerSpec {
  if (keyed) throw new DevstralError('usage', '--require-api-key: Ollama has no API keys', { hint: 'plan the same GGUF for llama.cpp, which checks one: --runtime llamacpp' });
  const launch = buildOllamaCommand(plan, model, serve, deviceEnv(plan, facts));
  const name = common.model;
  const pull = renderShellCommand(['ollama', 'pull', plan.artifact.ollama!]);
  const prepare = (modelfile: string) => `ollama show ${name} >/dev/null 2>&1 || { ${pull} && ${renderShellCommand(['ollama', 'create', name, '-f', modelfile])}; }`;
  const listening: Record<string, string> = { ...launch.env, OLLAMA_HOST: `0.0.0.0:${serve.port}` };
  const { CUDA_DEVICE_ORDER: _o, CUDA_VISIBLE_DEVICES: _v, ...containerEnv } = listening;
  // The server in the background; the model prepared once it answers; the container lives as long as the server and
  // passes a stop on to it (a shell as PID 1 would ignore SIGTERM).
  const script = [
    'ollama serve & server=$!',
    "trap 'kill $server; wait $server; exit' TERM INT",
    'until ollama list >/dev/null 2>&1; do kill -0 $server 2>/dev/null || exit 1; sleep 1; done',
    `${prepare(CONTAINER_MODELFILE)} || { kill $server; exit 1; }`,
    'wait $server',
  ].join('\n');
  return {
    runtime: 'ollama',
    image: IMAGES.ollama,
    entrypoint: ['/bin/sh', '-c'],
    containerArgs: [script],
    argv: launch.argv,
    env: launch.env,
    containerEnv,
    secrets: [],
    healthPath: '/api/version',
    readyPath: '/v1/models',
    readyCommand: ['ollama', 'show', name],
    cacheDir: OLLAMA_CACHE,
    gpus: plan.device === 'cuda' ? plan.gpus.length : 0,
    ...(launch.env.CUDA_VISIBLE_DEVICES ? { gpuIds: launch.env.CUDA_VISIBLE_DEVICES.split(',') } : {}),
    shmBytes: 0,
    ollama: { modelfile: buildOllamaModelfile(plan, model), prepare },
    ...common,
  };
}
