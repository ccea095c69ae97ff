/**
 * Stops a process and everything in its process group: SIGTERM, a wait, then SIGKILL. Harmless when it is gone
 * already. On Windows, `taskkill /T` stands in for the group.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { isGroupAlive, isPidPresent, isProcessAlive } from './processAlive.js';

/** survived: still there after SIGKILL (stuck in the kernel, a driver, or not ours to signal). */
export type StopOutcome = 'stopped' | 'killed' | 'not-running' | 'survived';

const POLL_MS = 100;

type Kill = (pid: number, signal: NodeJS.Signals) => void;

/** Signals the group once (a second SIGTERM makes some servers skip their graceful shutdown). */
function signalGroup(pid: number, signal: NodeJS.Signals, kill: Kill): void {
  try {
    kill(-pid, signal);
  } catch {
    // No such group (pid is not a group leader): the process itself.
    try {
      kill(pid, signal);
    } catch {
      // Gone, or not ours to stop.
    }
  }
}

function taskkill(pid: number, force: boolean): Promise<void> {
  return new Promise((resolve) => execFile('taskkill', ['/PID', String(pid), '/T', ...(force ? ['/F'] : [])], { windowsHide: true }, () => resolve()));
}

async function waitUntilGone(alive: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive()) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/** `kill`: how signals are sent (tests stand in a process that signals do not reach). */
export async function stopProcessGroup(pid: number, { timeoutMs = 10_000, killWaitMs = 5_000, kill = process.kill.bind(process) as Kill }: { timeoutMs?: number; killWaitMs?: number; kill?: Kill } = {}): Promise<StopOutcome> {
  const windows = process.platform === 'win32';
  const alive = () => isProcessAlive(pid) || (!windows && isGroupAlive(pid));
  if (!alive()) return 'not-running';
  if (windows) await taskkill(pid, false);
  else signalGroup(pid, 'SIGTERM', kill);
  let outcome: StopOutcome = 'stopped';
  if (!(await waitUntilGone(alive, timeoutMs))) {
    if (windows) await taskkill(pid, true);
    else signalGroup(pid, 'SIGKILL', kill);
    outcome = (await waitUntilGone(alive, killWaitMs)) ? 'killed' : 'survived';
    if (outcome === 'survived') return outcome;
  }
  // A child of ours is a zombie until Node reaps it (and emits 'exit'); wait briefly for that, so the pid is
  // really gone when we return. An orphan whose init never reaps is not worth waiting for.
  await waitUntilGone(() => isPidPresent(pid), 2_000);
  return outcome;
}
