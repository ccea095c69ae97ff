/**
 * Writes agent files: devstral's own as they are; a user's file only after a byte-exact backup beside it, with our
 * settings merged in and everything else left as it was. Every merge is computed before anything is written (a file
 * that does not parse stops them all), and each write is atomic (temp file + rename).
 */
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentFile } from './setupShapes.js';

const readIfAny = (path: string) => readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));

/** Lines saying what was written, and for a user's file, the backup and how to undo. */
export async function writeAgentFiles(files: AgentFile[], now = new Date()): Promise<string[]> {
  const planned = await Promise.all(
    files.map(async (file) => {
      const existing = file.owner === 'user' ? await readIfAny(file.path) : undefined;
      return { file, existing, text: existing !== undefined && file.merge ? file.merge(existing) : file.content };
    }),
  );
  const said: string[] = [];
  for (const { file, existing, text } of planned) {
    if (existing === text) {
      said.push(`${file.path} already has these settings`);
      continue;
    }
    await mkdir(dirname(file.path), { recursive: true });
    if (existing !== undefined) {
      const backup = `${file.path}.devstral-backup-${now.toISOString().replace(/[:.]/g, '-')}`;
      await copyFile(file.path, backup);
      said.push(`wrote ${file.path}; your previous file is ${backup} (to undo: mv '${backup}' '${file.path}')`);
    } else if (file.owner === 'user') said.push(`wrote ${file.path}; it did not exist (to undo: rm '${file.path}')`);
    const temp = `${file.path}.${process.pid}.tmp`;
    // A user's file keeps its permissions; a new one may hold the API key, so only its owner reads it.
    const mode = existing !== undefined ? (await stat(file.path)).mode & 0o777 : 0o600;
    await writeFile(temp, text, { mode });
    await rename(temp, file.path);
  }
  return said;
}
