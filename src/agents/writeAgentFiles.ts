/**
 * Writes agent files: devstral's own as they are; a user's file only after a byte-exact backup beside it, with our
 * settings merged in and everything else left as it was. Each write is atomic (temp file + rename).
 */
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentFile } from './agentSetup.js';

/** Lines saying what was written, and for a user's file, the backup and how to undo. */
export async function writeAgentFiles(files: AgentFile[], now = new Date()): Promise<string[]> {
  const said: string[] = [];
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    const existing = file.owner === 'user' ? await readFile(file.path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e))) : undefined;
    let text = file.content;
    if (existing !== undefined) {
      const backup = `${file.path}.devstral-backup-${now.toISOString().replace(/[:.]/g, '-')}`;
      await copyFile(file.path, backup);
      text = file.merge ? file.merge(existing) : file.content;
      said.push(`wrote ${file.path} (your previous file is ${backup}; to undo: mv '${backup}' '${file.path}')`);
    } else if (file.owner === 'user') said.push(`wrote ${file.path} (it did not exist; to undo: rm '${file.path}')`);
    const temp = `${file.path}.${process.pid}.tmp`;
    // A user's file keeps its permissions; ours may hold the API key.
    const mode = existing !== undefined ? (await stat(file.path)).mode & 0o777 : file.owner === 'devstral' ? 0o600 : 0o644;
    await writeFile(temp, text, { mode });
    await rename(temp, file.path);
  }
  return said;
}
