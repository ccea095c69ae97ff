/**
 * The server registry: one JSON record per server in `<state>/servers/<name>.json`, written atomically. Records
 * whose processes are gone are removed as they are read, so the registry lists only what runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir, uptime } from 'node:os';
import { join } from 'node:path';
import { DevstralError } from '../errors.js';
import { isGroupAlive, isProcessAlive } from './processAlive.js';
import { isValidServerName, logPathIn, resolveStateDir, serversDirIn } from './stateDir.js';

/** gateway: `devstral gateway` started by hand, in front of another server. */
export type ServerRuntime = 'vllm' | 'llamacpp' | 'ollama' | 'gateway';

export interface ServerRecord {
  name: string;
  runtime: ServerRuntime;
  pid: number;
  /** The process group (the pid of a child started by startProcess). */
  pgid: number;
  host: string;
  port: number;
  /** http://host:port/v1 */
  baseUrl: string;
  model: string;
  servedModel: string;
  apiKey?: string;
  logPath: string;
  /** ISO date. */
  startedAt: string;
  command: string[];
  /** An Ollama server we did not start: never stopped, its record is only forgotten. pid may be 0 (unknown). */
  reused?: boolean;
}

export function stateDir(): string {
  return resolveStateDir({ env: process.env, platform: process.platform, homedir: homedir() });
}

export function serverLogPath(name: string): string {
  return logPathIn(stateDir(), name);
}

function recordPath(name: string): string {
  return join(serversDirIn(stateDir()), `${name}.json`);
}

export function assertServerName(name: string): void {
  if (!isValidServerName(name)) {
    throw new DevstralError('usage', `invalid server name "${name}"`, { hint: 'use letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit' });
  }
}

/** A record from before the last boot is dead, whatever now runs under its pid. */
function startedBeforeBoot(record: ServerRecord): boolean {
  const bootMs = Date.now() - uptime() * 1000;
  return Date.parse(record.startedAt) < bootMs - 60_000;
}

/**
 * Alive = the process or anything left in its group. A reused server without a known pid counts as alive (only
 * probes can tell).
 */
export function isRecordAlive(record: ServerRecord): boolean {
  if (startedBeforeBoot(record)) return false;
  if (record.reused && !(record.pid > 0)) return true;
  return isProcessAlive(record.pid) || (!record.reused && isGroupAlive(record.pgid));
}

/** The file name is the record's name. */
function parseRecord(text: string): ServerRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<ServerRecord>;
    if (typeof value.name !== 'string' || typeof value.pid !== 'number' || typeof value.port !== 'number') return undefined;
    return value as ServerRecord;
  } catch {
    return undefined;
  }
}

/** The record as stored, alive or not; undefined when there is none (or it is unreadable). */
async function loadRecord(name: string): Promise<ServerRecord | undefined> {
  try {
    const record = parseRecord(await readFile(recordPath(name), 'utf8'));
    return record && { ...record, name };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The record of a live server; a dead server's record is removed and undefined returned. */
export async function readRecord(name: string): Promise<ServerRecord | undefined> {
  if (!isValidServerName(name)) return undefined;
  const record = await loadRecord(name);
  if (!record) return undefined;
  if (isRecordAlive(record)) return record;
  await removeRecord(name);
  return undefined;
}

/** Every record, sorted by name: the live ones, and the dead ones (whose records this removes). */
export async function sweepRegistry(): Promise<{ live: ServerRecord[]; dead: ServerRecord[] }> {
  let files: string[];
  try {
    files = await readdir(serversDirIn(stateDir()));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { live: [], dead: [] };
    throw error;
  }
  const names = files.filter((f) => f.endsWith('.json') && isValidServerName(f.slice(0, -5))).map((f) => f.slice(0, -5)).sort();
  const live: ServerRecord[] = [];
  const dead: ServerRecord[] = [];
  for (const record of await Promise.all(names.map(loadRecord))) {
    if (!record) continue;
    if (isRecordAlive(record)) live.push(record);
    else dead.push(record);
  }
  await Promise.all(dead.map((r) => removeRecord(r.name)));
  return { live, dead };
}

/** Every live server, sorted by name; records of dead processes are removed. */
export async function readRegistry(): Promise<ServerRecord[]> {
  return (await sweepRegistry()).live;
}

/** Writes the record atomically (temp file + rename), readable only by the user: it may hold the API key. */
export async function writeRecord(record: ServerRecord): Promise<void> {
  assertServerName(record.name);
  const dir = serversDirIn(stateDir());
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = recordPath(record.name);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** Removes the record; false when there was none. */
export async function removeRecord(name: string): Promise<boolean> {
  if (!isValidServerName(name)) return false;
  try {
    await unlink(recordPath(name));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Throws when a live server already has this name or port; call before starting a server. */
export async function claimServer(wanted: { name: string; host: string; port: number }): Promise<void> {
  assertServerName(wanted.name);
  for (const r of await readRegistry()) {
    const pid = r.pid > 0 ? `pid ${r.pid}` : 'not started by devstral';
    if (r.name === wanted.name) {
      throw new DevstralError('server', `a server named ${r.name} already runs (${pid}, port ${r.port})`, {
        hint: `\`devstral down ${r.name}\` or choose another --name`,
      });
    }
    if (r.port === wanted.port) {
      throw new DevstralError('server', `port ${r.port} is taken by the server ${r.name} (${pid}, ${r.baseUrl})`, {
        hint: `\`devstral down ${r.name}\` or choose another --port`,
      });
    }
  }
}
