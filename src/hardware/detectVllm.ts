import type { DetectDeps, ExecOutcome, ProbeResult } from './detectDeps.js';
import { findOnPath } from './findOnPath.js';
import type { RuntimeFacts } from './hardwareFacts.js';
import { parseVllmVersion } from './parseRuntimeVersions.js';
import { firstLine, noteFromExecFailure, probeNote } from './probeNote.js';

const PROBE = 'vllm';
/** Reads the installed version from package metadata: milliseconds, where `import vllm` loads torch for seconds. */
const VERSION_SNIPPET = "import importlib.metadata as m; print(m.version('vllm'))";

type VllmDeps = Pick<DetectDeps, 'exec' | 'versionExec' | 'env' | 'fs' | 'platform' | 'timeoutMs' | 'slowTimeoutMs'>;

/**
 * Is vLLM installed, which version, and how to launch it (`via`: "vllm" = the `vllm` command on PATH,
 * "python3" = only importable, run it as a module). `vllm --version` takes ~20 s because it imports torch
 * (vllm-project/vllm#25620), so we ask the Python interpreter named in the `vllm` script's shebang
 * for the package version instead, and fall back to `vllm --version` (with a longer timeout) only when that fails.
 */
export async function detectVllm(deps: VllmDeps): Promise<ProbeResult<{ vllm?: NonNullable<RuntimeFacts['vllm']> }>> {
  const options = { timeoutMs: deps.timeoutMs, env: deps.env };
  const script = deps.platform === 'win32' ? undefined : await findOnPath('vllm', deps.env, deps.fs);
  if (script !== undefined) {
    const interpreter = parseShebang(await deps.fs.readHead(script, 256).catch(() => ''));
    if (interpreter !== undefined && interpreter.some((part) => /python/i.test(part))) {
      // The answer is fixed by the script: pip rewrites it when vLLM is installed again.
      const version = versionFrom(await (deps.versionExec ?? deps.exec)(interpreter[0]!, [...interpreter.slice(1), '-c', VERSION_SNIPPET], { ...options, keyFile: script }));
      if (version !== undefined) return { vllm: { version, via: 'vllm' }, notes: [] };
    }
    const outcome = await deps.exec('vllm', ['--version'], { timeoutMs: deps.slowTimeoutMs, env: deps.env });
    const version = versionFrom(outcome);
    if (version !== undefined) return { vllm: { version, via: 'vllm' }, notes: [] };
    const why = outcome.kind === 'exited' ? `exited ${outcome.exitCode}: ${firstLine(outcome.stderr + outcome.stdout)}` : outcome.reason;
    return { notes: [probeNote(PROBE, outcome.kind === 'timeout' ? 'timeout' : 'failed', `${script} --version: ${why}`)] };
  }

  // Linux only: on a Mac without developer tools, /usr/bin/python3 opens an "install tools" dialog.
  if (deps.platform !== 'linux') return { notes: [probeNote(PROBE, 'missing', 'vllm not found on PATH')] };
  const outcome = await deps.exec('python3', ['-c', VERSION_SNIPPET], options);
  const version = versionFrom(outcome);
  if (version !== undefined) return { vllm: { version, via: 'python3' }, notes: [] };
  if (outcome.kind !== 'exited') return { notes: [noteFromExecFailure(PROBE, outcome, 'vllm not on PATH, and no python3 to look for it')] };
  if (/PackageNotFoundError|No package metadata/i.test(outcome.stderr)) {
    return { notes: [probeNote(PROBE, 'missing', 'vllm not on PATH and not installed for python3')] };
  }
  return { notes: [probeNote(PROBE, 'failed', `python3 exited ${outcome.exitCode}: ${firstLine(outcome.stderr + outcome.stdout)}`)] };
}

function versionFrom(outcome: ExecOutcome): string | undefined {
  return outcome.kind === 'exited' && outcome.exitCode === 0 ? parseVllmVersion(outcome.stdout) : undefined;
}

/** "#!/usr/bin/env python3" -> ["/usr/bin/env", "python3"]; undefined without a shebang. */
export function parseShebang(head: string): string[] | undefined {
  if (!head.startsWith('#!')) return undefined;
  const parts = head.slice(2).split(/\r?\n/)[0]!.trim().split(/\s+/).filter((p) => p !== '');
  return parts.length > 0 ? parts : undefined;
}
