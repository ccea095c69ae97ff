/**
 * Waits for a started server: ready when /health (or /v1/models) answers 200; fails at once when the process
 * exits. vLLM answers no HTTP while it loads 47 GB, so the deadline moves out while the log shows progress.
 */
import { open, stat } from 'node:fs/promises';
import { DevstralError } from '../errors.js';
import { waitForReady } from '../health/waitForReady.js';
import { diagnoseLog, isLoadingProgress, type Diagnosis } from './diagnoseLog.js';

export interface WaitInput {
  baseUrl: string;
  apiKey?: string;
  logPath?: string;
  timeoutMs: number;
  isAlive: () => boolean;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

export class ServerFailed extends DevstralError {
  constructor(
    message: string,
    readonly diagnosis: Diagnosis | undefined,
    logPath: string | undefined,
  ) {
    super('server', diagnosis ? `${message}: ${diagnosis.problem}` : message, {
      details: diagnosis?.lines ?? [],
      hint: diagnosis?.hint ?? (logPath ? `see the log: ${logPath}` : 'see the server output'),
    });
  }
}

async function readFrom(path: string, offset: number): Promise<{ text: string; size: number }> {
  const info = await stat(path).catch(() => undefined);
  if (!info || info.size <= offset) return { text: '', size: offset };
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(info.size - offset, 1024 * 1024));
    await handle.read(buffer, 0, buffer.length, info.size - buffer.length);
    return { text: buffer.toString('utf8'), size: info.size };
  } finally {
    await handle.close();
  }
}

export async function readLogTail(path: string | undefined): Promise<string> {
  return path ? (await readFrom(path, 0)).text : '';
}

export async function waitUntilServing(input: WaitInput): Promise<void> {
  let deadline = Date.now() + input.timeoutMs;
  let logOffset = 0;
  for (;;) {
    input.signal?.throwIfAborted();
    const slice = Math.max(1000, Math.min(2000, deadline - Date.now()));
    const result = await waitForReady({ baseUrl: input.baseUrl, ...(input.apiKey ? { apiKey: input.apiKey } : {}), deadlineMs: slice, isAlive: input.isAlive, ...(input.signal ? { signal: input.signal } : {}) });
    if (result === 'ready') return;
    if (result === 'dead' || !input.isAlive()) {
      throw new ServerFailed('the server exited while starting', diagnoseLog(await readLogTail(input.logPath)), input.logPath);
    }
    if (input.logPath) {
      const { text, size } = await readFrom(input.logPath, logOffset);
      logOffset = size;
      const progress = text.split('\n').filter(isLoadingProgress);
      if (progress.length) {
        deadline = Math.max(deadline, Date.now() + input.timeoutMs);
        input.onProgress?.(progress.at(-1)!.trim().slice(0, 160));
      }
    }
    if (Date.now() >= deadline) {
      throw new ServerFailed(`the server did not become ready within ${Math.round(input.timeoutMs / 1000)} s`, diagnoseLog(await readLogTail(input.logPath)), input.logPath);
    }
  }
}
