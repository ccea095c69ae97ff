/** Shared by the supervision tests: a private state directory, the stand-in child, waiting without timing thresholds. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ServerRecord } from '../../src/supervise/registry.js';
import { tailFile } from '../../src/supervise/tailFile.js';

/** Call before anything reads the state directory. */
export function useTempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'devstral-state-'));
  process.env.DEVSTRAL_STATE_DIR = dir;
  return dir;
}

export const childScript = fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url));

/** Polls until check() returns a value (not undefined/false); fails after a generous timeout. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The first capture group of the first log line that matches. */
export function waitForLogLine(path: string, pattern: RegExp): Promise<string> {
  return waitFor(`${pattern} in ${path}`, async () => {
    for (const line of await tailFile(path, 1000)) {
      const match = pattern.exec(line);
      if (match) return match[1] ?? match[0];
    }
    return undefined;
  });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function makeRecord(fields: Partial<ServerRecord> & Pick<ServerRecord, 'name' | 'pid' | 'port'>): ServerRecord {
  return {
    runtime: 'llamacpp',
    pgid: fields.pid,
    host: '127.0.0.1',
    baseUrl: `http://127.0.0.1:${fields.port}/v1`,
    model: 'test.gguf',
    servedModel: 'test-model',
    logPath: join(process.env.DEVSTRAL_STATE_DIR ?? tmpdir(), 'logs', `${fields.name}.log`),
    startedAt: new Date().toISOString(),
    command: ['node', 'server.js'],
    ...fields,
  };
}
