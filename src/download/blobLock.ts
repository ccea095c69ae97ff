/** One writer per blob across processes: an exclusive lock file holding the owner's pid. */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the lock, waiting while a live process holds it (a dead owner's lock is taken over). Calls
 * `onWait` once if it has to wait. Returns the release function.
 */
export async function acquireBlobLock(path: string, options: { signal?: AbortSignal; onWait?: () => void; pollMs?: number } = {}): Promise<() => Promise<void>> {
  await mkdir(dirname(path), { recursive: true });
  let waited = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner)) {
      // The owner died (or is still writing its pid: give it a moment before taking over).
      if (Number.isInteger(owner) && owner > 0) await rm(path, { force: true });
      else await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (!waited) options.onWait?.();
    waited = true;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
}
