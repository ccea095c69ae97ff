/** The last lines of a log, read backwards in chunks (logs of vLLM can be large). */
import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;

/** The last `lines` lines of the file up to byte `end` (default: its size); [] for a missing file. */
export async function tailFile(path: string, lines: number, end?: number): Promise<string[]> {
  if (lines <= 0) return [];
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const size = Math.min(end ?? Infinity, (await handle.stat()).size);
    const chunks: Buffer[] = [];
    let start = size;
    let newlines = 0;
    // One more newline than lines wanted, since the text normally ends with one.
    while (start > 0 && newlines <= lines) {
      const length = Math.min(CHUNK, start);
      start -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, start);
      chunks.unshift(buffer);
      for (const byte of buffer) if (byte === 0x0a) newlines++;
    }
    const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    return text === '' && start === 0 ? [] : text.split(/\r?\n/).slice(-lines);
  } finally {
    await handle.close();
  }
}
