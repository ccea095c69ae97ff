import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ExecFn, ExecOutcome } from './detectDeps.js';

/** Enough for any tool output we parse; a runaway child cannot fill memory. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * The real ExecFn: spawn without a shell, collect output, SIGKILL at the deadline.
 * We resolve at the deadline even if the child does not die (a wedged nvidia-smi can sit in
 * uninterruptible sleep), and unref it so it cannot keep the CLI alive.
 */
export const runProcess: ExecFn = (file, args, options) =>
  new Promise<ExecOutcome>((resolve) => {
    // A tool that is not on PATH costs a failed spawn (30-40 ms on a busy 2-core machine): look first.
    if (!onPath(file, options.env)) {
      resolve({ kind: 'missing', reason: `${file} not found on PATH` });
      return;
    }
    let settled = false;
    const finish = (outcome: ExecOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };

    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, [...args], { env: definedEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (error) {
      resolve(spawnFailure(file, error));
      return;
    }

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      if (bytes >= MAX_OUTPUT_BYTES) return;
      bytes += chunk.length;
      into.push(chunk);
    };
    child.stdout?.on('data', collect(stdout));
    child.stderr?.on('data', collect(stderr));

    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.unref();
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish({ kind: 'timeout', reason: `${file} did not finish within ${formatSeconds(options.timeoutMs)}` });
    }, options.timeoutMs);

    child.on('error', (error) => finish(spawnFailure(file, error)));
    child.on('close', (code, signal) => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      if (code === null) finish({ kind: 'failed', reason: `${file} was killed by ${signal ?? 'a signal'}` });
      else finish({ kind: 'exited', exitCode: code, stdout: out, stderr: err });
    });
  });

/** Whether `file` names an executable (a path, or a name found in PATH); Windows is left to spawn (PATHEXT). */
function onPath(file: string, env: Readonly<Record<string, string | undefined>>): boolean {
  if (process.platform === 'win32' || file.includes('/')) return true;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, file), constants.X_OK);
      if (statSync(join(dir, file)).isFile()) return true;
    } catch {
      // not here
    }
  }
  return false;
}

function spawnFailure(file: string, error: unknown): ExecOutcome {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return { kind: 'missing', reason: `${file} not found on PATH` };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'failed', reason: `${file} could not be started: ${message}` };
}

function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
