import type { DetectDeps, ProbeResult } from './detectDeps.js';
import { parseSysctl, SYSCTL_NAMES, type SysctlFacts } from './parseSysctl.js';
import { firstLine, noteFromExecFailure, probeNote } from './probeNote.js';

const PROBE = 'sysctl';

/** macOS only: CPU, RAM and the Apple GPU with its Metal working-set limit, from one sysctl call. */
export async function detectAppleSilicon(deps: Pick<DetectDeps, 'exec' | 'env' | 'timeoutMs' | 'platform'>): Promise<ProbeResult<SysctlFacts>> {
  if (deps.platform !== 'darwin') return { notes: [] };
  // Absolute path: sysctl lives in /usr/sbin, which is not always on a user's PATH.
  const outcome = await deps.exec('/usr/sbin/sysctl', [...SYSCTL_NAMES], { timeoutMs: deps.timeoutMs, env: deps.env });
  if (outcome.kind !== 'exited') return { notes: [noteFromExecFailure(PROBE, outcome)] };
  // Unknown names (Intel Macs, older macOS) make sysctl exit 1 but it still prints the others.
  const facts = parseSysctl(outcome.stdout);
  if (facts.memoryTotalMiB === undefined) {
    return { notes: [probeNote(PROBE, 'failed', `sysctl exited ${outcome.exitCode}: ${firstLine(outcome.stderr + outcome.stdout)}`)] };
  }
  if (facts.rosetta) {
    return { ...facts, notes: [probeNote(PROBE, 'failed', 'Node.js runs as x64 under Rosetta 2, so node-llama-cpp cannot use Metal: install the arm64 build of Node.js')] };
  }
  return { ...facts, notes: [] };
}
