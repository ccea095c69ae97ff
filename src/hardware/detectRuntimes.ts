import { detectContainerTool } from './detectContainerTool.js';
import type { DetectDeps, ProbeResult } from './detectDeps.js';
import { detectLlamaCppBackends } from './detectLlamaCppBackends.js';
import { detectOllama } from './detectOllama.js';
import { detectVllm } from './detectVllm.js';
import type { RuntimeFacts } from './hardwareFacts.js';
import { guardProbe } from './probeNote.js';

/** Every runtime probe at once. A runtime that was not found is absent from `runtimes` and has a note. */
export async function detectRuntimes(deps: DetectDeps, llamaCppBackends = true): Promise<ProbeResult<{ runtimes: RuntimeFacts }>> {
  const [vllm, ollama, llamacpp, docker, podman] = await Promise.all([
    guardProbe('vllm', () => detectVllm(deps), () => ({})),
    guardProbe('ollama', () => detectOllama(deps), () => ({})),
    llamaCppBackends ? guardProbe('llamacpp', () => detectLlamaCppBackends(deps), () => ({})) : { notes: [], llamacpp: undefined },
    guardProbe('docker', () => detectContainerTool('docker', deps), () => ({})),
    guardProbe('podman', () => detectContainerTool('podman', deps), () => ({})),
  ]);
  const runtimes: RuntimeFacts = {};
  if (vllm.vllm) runtimes.vllm = vllm.vllm;
  if (ollama.ollama) runtimes.ollama = ollama.ollama;
  if (llamacpp.llamacpp) runtimes.llamacpp = llamacpp.llamacpp;
  if (docker.version !== undefined) runtimes.docker = { version: docker.version };
  if (podman.version !== undefined) runtimes.podman = { version: podman.version };
  return { runtimes, notes: [vllm, ollama, llamacpp, docker, podman].flatMap((p) => p.notes) };
}
