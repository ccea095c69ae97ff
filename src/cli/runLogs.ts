/** `devstral logs [NAME] [-f] [--lines N]`: a server's log, also after the server has exited. */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DevstralError } from '../errors.js';
import { followFile } from '../supervise/followFile.js';
import { readRecord, readRegistry, serverLogPath } from '../supervise/registry.js';
import { tailFile } from '../supervise/tailFile.js';
import type { CommandArgs } from './commandSpec.js';

export async function runLogs(args: CommandArgs): Promise<void> {
  const lines = parseLines(args.lines);
  const path = await resolveLogPath(args.name === undefined ? undefined : String(args.name));
  const size = (await stat(path).catch(() => undefined))?.size ?? 0;
  if (lines !== undefined) {
    const tail = await tailFile(path, lines, size);
    if (tail.length) await write(`${tail.join('\n')}\n`);
  } else if (size > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: size - 1 })) await write(chunk as Buffer);
  }
  if (!args.follow) return;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await followFile(path, (line) => void write(`${line}\n`), controller.signal, { from: size });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function write(data: string | Buffer): Promise<void> {
  if (!process.stdout.write(data)) await once(process.stdout, 'drain');
}

function parseLines(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new DevstralError('usage', `--lines must be a whole number, not "${String(value)}"`);
  return n;
}

/** A running server's log; a stopped one's by its name; without a name, the only server running. */
async function resolveLogPath(name: string | undefined): Promise<string> {
  if (name !== undefined) {
    const record = await readRecord(name);
    if (record) return record.logPath;
    const path = serverLogPath(name);
    if (await stat(path).then(() => true, () => false)) return path;
    const running = (await readRegistry()).map((r) => r.name);
    throw new DevstralError('usage', `no server named ${name} and no log at ${path}`, {
      hint: running.length ? `running: ${running.join(', ')}` : 'see `devstral status`',
    });
  }
  const running = await readRegistry();
  if (running.length === 1) return running[0]!.logPath;
  if (running.length > 1) {
    throw new DevstralError('usage', `${running.length} servers are running: ${running.map((r) => r.name).join(', ')}`, { hint: 'name one: `devstral logs NAME`' });
  }
  const earlier = await earlierLogs();
  throw new DevstralError('usage', 'no server is running', {
    hint: earlier.length ? `logs of earlier servers: ${earlier.join(', ')} (\`devstral logs NAME\`)` : 'start one with `devstral up`',
  });
}

async function earlierLogs(): Promise<string[]> {
  const files = await readdir(dirname(serverLogPath('x'))).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.log')).map((f) => f.slice(0, -4)).sort();
}
