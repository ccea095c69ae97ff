/** `tail -f`: calls onLine for each complete line appended to a file until the signal aborts. Polls, so it works on every platform and file system. */
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  /** Byte to start from (default: the current end of the file). */
  from?: number;
  pollMs?: number;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

export async function followFile(path: string, onLine: (line: string) => void, signal: AbortSignal, options: FollowOptions = {}): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  let position = options.from ?? (await sizeOf(path));
  let partial = '';
  const decoder = new TextDecoder();
  while (!signal.aborted) {
    const size = await sizeOf(path);
    if (size < position) {
      // Truncated or replaced: start again from its beginning.
      position = 0;
      partial = '';
    }
    if (size > position) {
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(Math.min(size - position, 1 << 20));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        position += bytesRead;
        const parts = (partial + decoder.decode(buffer.subarray(0, bytesRead), { stream: true })).split(/\r?\n/);
        partial = parts.pop() ?? '';
        for (const line of parts) onLine(line);
      } finally {
        await handle.close();
      }
    }
    if (position < size) continue; // more to read at once
    await sleep(pollMs, undefined, { signal }).catch(() => {});
  }
  if (partial) onLine(partial);
}
