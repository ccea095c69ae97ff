import { detectAmdGpus } from './detectAmdGpus.js';
import { detectAppleSilicon } from './detectAppleSilicon.js';
import type { DetectDeps } from './detectDeps.js';
import { detectDisk } from './detectDisk.js';
import { detectNvidiaGpus } from './detectNvidiaGpus.js';
import { detectRuntimes } from './detectRuntimes.js';
import { detectSystem } from './detectSystem.js';
import type { ArchName, HardwareFacts, OsName, ProbeNote } from './hardwareFacts.js';
import { guardProbe, probeNote } from './probeNote.js';

export interface DetectOptions {
  /**
   * report (`devstral detect`): everything. plan: what planning uses, fast: no node-llama-cpp backends (~0.75 s),
   * no docker/podman, and vLLM only on a machine with an NVIDIA GPU.
   */
  purpose?: 'report' | 'plan';
}

/**
 * Everything `devstral detect` reports, probed concurrently. Never throws: what could not be found out
 * is listed in `probes`. The result has no undefined fields, so `--json` output reads back as is.
 */
export async function detectHardware(deps: DetectDeps, options: DetectOptions = {}): Promise<HardwareFacts> {
  const forPlan = options.purpose === 'plan';
  const nvidiaProbe = guardProbe('nvidia-smi', () => (deps.platform === 'darwin' ? Promise.resolve({ gpus: [], notes: [] }) : detectNvidiaGpus(deps)), () => ({ gpus: [] }));
  const [system, nvidia, amd, apple, disk, runtimes] = await Promise.all([
    guardProbe('systeminformation', () => detectSystem(deps), () => ({
      cpu: { model: 'unknown CPU', cores: 1 },
      memory: { totalMiB: Math.max(1, Math.floor(deps.os.totalmem() / 1024 / 1024)) },
    })),
    nvidiaProbe,
    guardProbe('rocm-smi', () => detectAmdGpus(deps), () => ({ gpus: [] })),
    guardProbe('sysctl', () => detectAppleSilicon(deps), () => ({})),
    guardProbe('disk', () => detectDisk(deps), () => ({})),
    guardProbe('runtimes', () => detectRuntimes(deps, forPlan ? { llamaCppBackends: false, containers: false, vllm: nvidiaProbe.then((n) => n.gpus.length > 0) } : undefined), () => ({ runtimes: {} })),
  ]);

  const notes: ProbeNote[] = [];
  const os = osName(deps.platform, notes);
  const arch = archName(deps.arch, notes);
  // sysctl's brand string ("Apple M2 Max") and P-core count beat systeminformation's on a Mac.
  const cpu = apple.cpu ? { ...apple.cpu } : system.cpu;
  const memory = { ...system.memory };
  if (apple.memoryTotalMiB !== undefined && !(memory.totalMiB > 0)) memory.totalMiB = apple.memoryTotalMiB;

  const facts: HardwareFacts = { os, arch, cpu, memory, gpus: [...nvidia.gpus, ...amd.gpus, ...(apple.gpu ? [apple.gpu] : [])] };
  if (nvidia.cuda) facts.cuda = nvidia.cuda;
  if (disk.disk) facts.disk = disk.disk;
  facts.runtimes = runtimes.runtimes;
  facts.probes = [...notes, ...system.notes, ...nvidia.notes, ...amd.notes, ...apple.notes, ...disk.notes, ...runtimes.notes];
  return facts;
}

function osName(platform: NodeJS.Platform, notes: ProbeNote[]): OsName {
  if (platform === 'linux' || platform === 'darwin' || platform === 'win32') return platform;
  notes.push(probeNote('os', 'failed', `platform ${platform} is not supported; treated as linux`));
  return 'linux';
}

function archName(arch: string, notes: ProbeNote[]): ArchName {
  if (arch === 'x64' || arch === 'arm64') return arch;
  const guess: ArchName = arch.startsWith('arm') ? 'arm64' : 'x64';
  notes.push(probeNote('arch', 'failed', `architecture ${arch} is not supported; treated as ${guess}`));
  return guess;
}
