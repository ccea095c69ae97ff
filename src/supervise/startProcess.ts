/**
 * Starts a server process in its own process group with its output appended to a log file. The child holds the
 * log's file descriptor itself, so it keeps logging after we exit; stopProcessGroup stops it and everything it
 * started.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DevstralError } from '../errors.js';
import { renderShellCommand } from '../runtimes/shellQuote.js';
import { isProcessAlive } from './processAlive.js';

export interface ProcessSpec {
  file: string;
  args: string[];
  /** Added to our own environment. */
  env: Record<string, string>;
  logPath: string;
  cwd?: string;
  /** Keep our event loop alive while the child runs (a foreground server); default false. */
  keepAlive?: boolean;
}

export interface ProcessExit {
  code: number | null;
  signal: string | null;
}

export interface RunningProcess {
  pid: number;
  /**
   * Settles when the child exits. Without keepAlive, awaiting it alone does not keep our process running:
   * something else must (a timer, a server, a stopProcessGroup call).
   */
  exited: Promise<ProcessExit>;
  isAlive(): boolean;
}

/** The command for the log header, with API keys masked. */
export function renderLoggedCommand(file: string, args: string[]): string {
  const masked = args.map((arg, i) => (args[i - 1] === '--api-key' ? '***' : arg.replace(/^(--api-key=).+$/, '$1***')));
  return renderShellCommand([file, ...masked]);
}

export async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  mkdirSync(dirname(spec.logPath), { recursive: true, mode: 0o700 });
  const fd = openSync(spec.logPath, 'a', 0o600);
  try {
    writeSync(fd, `\n==> ${new Date().toISOString()} ${renderLoggedCommand(spec.file, spec.args)}\n`);
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', fd, fd],
      // POSIX: a new session and process group (pgid = pid), so the group can be signalled as a whole and a
      // Ctrl-C in our terminal does not reach it directly.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          reject(new DevstralError('runtimeMissing', `${spec.file} not found`, { hint: 'install it, or put the directory that holds it on PATH', cause: error }));
        } else if (error.code === 'EACCES') {
          reject(new DevstralError('runtimeMissing', `${spec.file} is not executable`, { hint: `check its permissions (chmod +x)`, cause: error }));
        } else reject(error);
      });
    });
    child.on('error', () => {}); // later errors (a failed kill) are not fatal
    if (!spec.keepAlive) child.unref();
    const pid = child.pid!;
    let done = false;
    void exited.then(() => (done = true));
    return { pid, exited, isAlive: () => !done && isProcessAlive(pid) };
  } finally {
    closeSync(fd);
  }
}

// The rest of the supervision API, so callers import it from one place.
export { stopProcessGroup, type StopOutcome } from './stopProcessGroup.js';
export { tailFile } from './tailFile.js';
export { followFile, type FollowOptions } from './followFile.js';
