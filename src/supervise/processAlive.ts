/**
 * Is a process (or any process of a group) still alive? A signal 0 answers, except that a zombie (exited, not yet
 * reaped: an orphan in a container whose init does not reap) also answers; on Linux /proc tells them apart.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** State letter and process group from /proc/<pid>/stat; undefined when there is no such process (or no /proc). */
function readProcStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function answersSignal0(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the pid exists at all, a zombie included (exited, not yet reaped). */
export function isPidPresent(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0 && answersSignal0(pid);
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (!answersSignal0(pid)) return false;
  if (process.platform !== 'linux') return true;
  const stat = readProcStat(pid);
  return stat === undefined || (stat.state !== 'Z' && stat.state !== 'X');
}

/** The live (non-zombie) members of a process group; undefined where /proc is not available. */
function listGroupMembers(pgid: number): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(Number(entry));
  }
  return members;
}

/** Whether any process of the group is alive (POSIX); on Windows, whether the process itself is. */
export function isGroupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 0) return false;
  if (process.platform === 'win32') return isProcessAlive(pgid);
  if (!answersSignal0(-pgid)) return false;
  if (process.platform !== 'linux') return true;
  const members = listGroupMembers(pgid);
  return members === undefined || members.length > 0;
}
