import type { DetectDeps, ProbeResult, SystemInformationApi } from './detectDeps.js';
import type { HardwareFacts, ProbeNote } from './hardwareFacts.js';
import { parseCpuinfo, parseMeminfo } from './parseProcInfo.js';
import { probeNote } from './probeNote.js';
import { withTimeout } from './withTimeout.js';

const PROBE = 'systeminformation';
const MiB = 1024 * 1024;

export type SystemProbe = ProbeResult<Pick<HardwareFacts, 'cpu' | 'memory'>>;

/**
 * CPU and RAM: on Linux straight from /proc (physical cores, MemAvailable), elsewhere via systeminformation; node:os
 * if that fails or hangs.
 */
export async function detectSystem(deps: Pick<DetectDeps, 'importSystemInformation' | 'os' | 'timeoutMs' | 'platform' | 'fs'>): Promise<SystemProbe> {
  const notes: ProbeNote[] = [];
  if (deps.platform === 'linux') {
    const [cpu, memory] = await Promise.all([deps.fs.readFile('/proc/cpuinfo').then(parseCpuinfo, () => undefined), deps.fs.readFile('/proc/meminfo').then(parseMeminfo, () => undefined)]);
    if (cpu && cpu.cores > 0 && memory) return { cpu: { model: cpu.model || 'unknown CPU', cores: cpu.cores }, memory, notes };
  }
  const fromSi = await withTimeout(
    readSi(deps.importSystemInformation).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
    deps.timeoutMs,
    () => 'timeout' as const,
  );
  if (fromSi !== 'timeout' && !(fromSi instanceof Error)) return { ...fromSi, notes };

  if (fromSi === 'timeout') notes.push(probeNote(PROBE, 'timeout', `no answer within ${deps.timeoutMs} ms; used node:os (logical CPUs)`));
  else notes.push(probeNote(PROBE, 'failed', `${fromSi.message}; used node:os (logical CPUs)`));
  const model = deps.os.cpus()[0]?.model.trim();
  return {
    cpu: { model: model || 'unknown CPU', cores: Math.max(1, deps.os.availableParallelism()) },
    memory: { totalMiB: Math.floor(deps.os.totalmem() / MiB), availableMiB: Math.floor(deps.os.freemem() / MiB) },
    notes,
  };
}

async function readSi(load: () => Promise<SystemInformationApi>): Promise<Pick<HardwareFacts, 'cpu' | 'memory'>> {
  const si = await load();
  const [cpu, mem] = await Promise.all([si.cpu(), si.mem()]);
  const brand = cpu.brand.trim();
  const maker = cpu.manufacturer.trim();
  const model = brand.toLowerCase().startsWith(maker.toLowerCase()) ? brand : `${maker} ${brand}`.trim();
  const cores = cpu.physicalCores > 0 ? cpu.physicalCores : cpu.cores;
  if (!(mem.total > 0) || !(cores > 0)) throw new Error('systeminformation returned no CPU or memory figures');
  const memory: HardwareFacts['memory'] = { totalMiB: Math.floor(mem.total / MiB) };
  if (mem.available > 0) memory.availableMiB = Math.floor(mem.available / MiB);
  return { cpu: { model: model || 'unknown CPU', cores }, memory };
}
