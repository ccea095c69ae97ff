import type { DetectDeps, ExecOutcome, ProbeResult } from './detectDeps.js';
import { filterVisibleGpus } from './filterVisibleGpus.js';
import type { Gpu, HardwareFacts, ProbeNote } from './hardwareFacts.js';
import {
  NVIDIA_SMI_FIELDS,
  NVIDIA_SMI_FIELDS_OLD_DRIVER,
  parseCudaVersion,
  parseNvidiaSmi,
  parseNvidiaSmiFailure,
} from './parseNvidiaSmi.js';
import { noteFromExecFailure, probeNote } from './probeNote.js';

const PROBE = 'nvidia-smi';

export type NvidiaProbe = ProbeResult<{ gpus: Gpu[]; cuda?: NonNullable<HardwareFacts['cuda']> }>;

/**
 * NVIDIA GPUs from nvidia-smi (systeminformation misses them without lspci). Retries without
 * `compute_cap` for old drivers; keeps only the GPUs CUDA_VISIBLE_DEVICES lets programs see.
 */
export async function detectNvidiaGpus(deps: Pick<DetectDeps, 'exec' | 'env' | 'timeoutMs'>): Promise<NvidiaProbe> {
  const run = (args: string[]) => deps.exec('nvidia-smi', args, { timeoutMs: deps.timeoutMs, env: deps.env });
  const query = (fields: readonly string[]) => run([`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits']);
  // The plain table is the only place that states the CUDA version; ask for it at the same time.
  const [first, header] = await Promise.all([query(NVIDIA_SMI_FIELDS), run([])]);

  let outcome: ExecOutcome = first;
  let withComputeCap = true;
  if (first.kind === 'exited' && first.exitCode !== 0 && parseNvidiaSmiFailure(first.stdout + first.stderr, first.exitCode).kind === 'unknown-field') {
    outcome = await query(NVIDIA_SMI_FIELDS_OLD_DRIVER);
    withComputeCap = false;
  }
  if (outcome.kind !== 'exited') {
    return { gpus: [], notes: [noteFromExecFailure(PROBE, outcome, 'nvidia-smi not found on PATH (no NVIDIA driver)')] };
  }
  if (outcome.exitCode !== 0) {
    const failure = parseNvidiaSmiFailure(outcome.stdout + outcome.stderr, outcome.exitCode);
    return { gpus: [], notes: [probeNote(PROBE, failure.kind === 'no-devices' ? 'missing' : 'failed', failure.reason)] };
  }

  const parsed = parseNvidiaSmi(outcome.stdout, { withComputeCap });
  const notes: ProbeNote[] = parsed.problems.map((p) => probeNote(PROBE, 'failed', p));
  if (parsed.gpus.length === 0 && parsed.problems.length === 0) notes.push(probeNote(PROBE, 'missing', 'nvidia-smi listed no GPU'));
  const visibleSetting = deps.env.CUDA_VISIBLE_DEVICES;
  const gpus = filterVisibleGpus(parsed.gpus, visibleSetting);
  if (gpus.length < parsed.gpus.length) {
    const hidden = parsed.gpus.filter((g) => !gpus.includes(g)).map((g) => g.index);
    notes.push(probeNote(PROBE, 'missing', `CUDA_VISIBLE_DEVICES="${visibleSetting}" hides GPU ${hidden.join(', ')}`));
  }

  const cuda: NonNullable<HardwareFacts['cuda']> = {};
  const driverVersion = parsed.gpus[0]?.driverVersion;
  if (driverVersion !== undefined) cuda.driverVersion = driverVersion;
  const version = header.kind === 'exited' && header.exitCode === 0 ? parseCudaVersion(header.stdout) : undefined;
  if (version !== undefined) cuda.version = version;
  return Object.keys(cuda).length > 0 ? { gpus, cuda, notes } : { gpus, notes };
}
