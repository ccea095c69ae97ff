/**
 * The hardware-facts shape: what `devstral detect --json` prints and what `--hardware FILE` reads.
 * Keep it stable: captures from one machine are planned for on another.
 */
export type OsName = 'linux' | 'darwin' | 'win32';
export type ArchName = 'x64' | 'arm64';
export type GpuVendor = 'nvidia' | 'amd' | 'apple' | 'intel';

export interface Gpu {
  vendor: GpuVendor;
  name: string;
  /** Total memory; for Apple silicon the Metal working-set limit (recommendedMaxWorkingSetSize). */
  memoryMiB: number;
  freeMiB?: number;
  /** NVIDIA only, e.g. "8.9". */
  computeCapability?: string;
  /** Memory shared with the CPU (Apple silicon). */
  unified?: boolean;
  index?: number;
  driverVersion?: string;
}

export interface RuntimeFacts {
  vllm?: { version: string; via?: string };
  ollama?: { version?: string; running?: boolean; host?: string };
  /** GPU backends node-llama-cpp can use here, e.g. ["cuda", "cpu"]. */
  llamacpp?: { backends: string[]; version?: string };
  docker?: { version: string };
  podman?: { version: string };
}

/** A probe that could not answer: shown as unknown with the reason, never a crash. */
export interface ProbeNote {
  probe: string;
  status: 'missing' | 'failed' | 'timeout';
  reason: string;
}

export interface HardwareFacts {
  id?: string;
  description?: string;
  os: OsName;
  arch: ArchName;
  /** cores: physical cores; performanceCores: Apple silicon P-cores (hw.perflevel0.physicalcpu), for thread counts. */
  cpu: { model: string; cores: number; performanceCores?: number };
  memory: { totalMiB: number; availableMiB?: number };
  gpus: Gpu[];
  /** CUDA version the NVIDIA driver supports, e.g. "12.4". */
  cuda?: { driverVersion?: string; version?: string };
  disk?: { freeMiB: number; path?: string };
  runtimes?: RuntimeFacts;
  probes?: ProbeNote[];
}
