import type { DetectDeps, ProbeResult } from './detectDeps.js';
import { parseContainerToolVersion } from './parseRuntimeVersions.js';
import { firstLine, noteFromExecFailure, probeNote } from './probeNote.js';

/** `docker --version` / `podman --version`: only the client; whether a daemon runs is for the command that uses it. */
export async function detectContainerTool(
  tool: 'docker' | 'podman',
  deps: Pick<DetectDeps, 'exec' | 'versionExec' | 'env' | 'timeoutMs'>,
): Promise<ProbeResult<{ version?: string }>> {
  const outcome = await (deps.versionExec ?? deps.exec)(tool, ['--version'], { timeoutMs: deps.timeoutMs, env: deps.env });
  if (outcome.kind !== 'exited') return { notes: [noteFromExecFailure(tool, outcome)] };
  const version = parseContainerToolVersion(outcome.stdout + outcome.stderr);
  if (outcome.exitCode === 0 && version !== undefined) return { version, notes: [] };
  return { notes: [probeNote(tool, 'failed', `${tool} --version exited ${outcome.exitCode}: ${firstLine(outcome.stderr + outcome.stdout)}`)] };
}
