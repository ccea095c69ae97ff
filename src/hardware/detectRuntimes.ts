import { detectContainerTool } from './detectContainerTool.js';
import type { DetectDeps, ProbeResult } from './detectDeps.js';
import { detectLlamaCppBackends } from './detectLlamaCppBackends.js';
import { detectOllama } from './detectOllama.js';
import { detectVllm } from './detectVllm.js';
import type { RuntimeFacts } from './hardwareFacts.js';
import { guardProbe } from './probeNote.js';

export interface RuntimeProbes {
  /** node-llama-cpp's GPU backends (loading it takes ~0.75 s). */
  llamaCppBackends: boolean;
  /** docker and podman versions. */
  containers: boolean;
  /** vLLM; a promise lets the caller decide once the GPUs are known (no NVIDIA GPU: no vLLM to plan for). */
  vllm: boolean | Promise<boolean>;
}

const ALL: RuntimeProbes = { llamaCppBackends: true, containers: true, vllm: true };
const skipped = { notes: [] };

/** The runtime probes asked for, at once. A runtime that was not found is absent from `runtimes` and has a note. */
export async function detectRuntimes(deps: DetectDeps, probes: RuntimeProbes = ALL): Promise<ProbeResult<{ runtimes: RuntimeFacts }>> {
  const [vllm, ollama, llamacpp, docker, podman] = await Promise.all([
    Promise.resolve(probes.vllm).then((wanted) => (wanted ? guardProbe('vllm', () => detectVllm(deps), () => ({})) : { ...skipped, vllm: undefined })),
    guardProbe('ollama', () => detectOllama(deps), () => ({})),
    probes.llamaCppBackends ? guardProbe('llamacpp', () => detectLlamaCppBackends(deps), () => ({})) : { ...skipped, llamacpp: undefined },
    probes.containers ? guardProbe('docker', () => detectContainerTool('docker', deps), () => ({})) : { ...skipped, version: undefined },
    probes.containers ? guardProbe('podman', () => detectContainerTool('podman', deps), () => ({})) : { ...skipped, version: undefined },
  ]);
  const runtimes: RuntimeFacts = {};
  if (vllm.vllm) runtimes.vllm = vllm.vllm;
  if (ollama.ollama) runtimes.ollama = ollama.ollama;
  if (llamacpp.llamacpp) runtimes.llamacpp = llamacpp.llamacpp;
  if (docker.version !== undefined) runtimes.docker = { version: docker.version };
  if (podman.version !== undefined) runtimes.podman = { version: podman.version };
  return { runtimes, notes: [vllm, ollama, llamacpp, docker, podman].flatMap((p) => p.notes) };
}
