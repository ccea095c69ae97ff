/** HF_HUB_OFFLINE=1: answer from the cache alone, or say exactly what is missing. */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { DevstralError } from '../errors.js';
import { isCommitHash, refFile, snapshotDir, type RepoCache } from './hfCachePaths.js';
import type { PullRequest, PullResult } from './pullTypes.js';
import { selectFiles, type TreeFile } from './selectFiles.js';

const offlineError = (what: string, where: string) =>
  new DevstralError('download', `HF_HUB_OFFLINE is set and ${what} is not in the cache (${where})`, {
    hint: 'unset HF_HUB_OFFLINE to download it, or pull it on a machine with network and copy the cache',
  });

async function listSnapshot(dir: string, root = dir): Promise<TreeFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: TreeFile[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listSnapshot(path, root)));
    else {
      const info = await stat(path).catch(() => undefined);
      if (!info) continue; // a dangling link: the blob is gone
      const etag = basename((await readlink(path).catch(() => undefined)) ?? path);
      files.push({ path: relative(root, path).split('\\').join('/'), size: info.size, oid: etag });
    }
  }
  return files;
}

export async function readOfflineSnapshot(request: PullRequest, cache: RepoCache): Promise<PullResult> {
  const label = `${request.repo}@${request.revision}`;
  const commit = isCommitHash(request.revision) ? request.revision : (await readFile(refFile(cache, request.revision), 'utf8').catch(() => undefined))?.trim();
  if (!commit) throw offlineError(`revision ${request.revision} of ${request.repo}`, refFile(cache, request.revision));
  const dir = snapshotDir(cache, commit);
  const present = await listSnapshot(dir).catch(() => undefined);
  if (!present) throw offlineError(label, dir);
  let files;
  try {
    files = selectFiles(present, request.selection, label);
  } catch (error) {
    if (error instanceof DevstralError) throw offlineError(`what ${label} needs (${error.message})`, dir);
    throw error;
  }
  const pulled = files.map((f) => ({ path: f.path, localPath: join(dir, ...f.path.split('/')), size: f.size, fetchedBytes: 0, cached: true }));
  return { repo: request.repo, revision: request.revision, commit, snapshotDir: dir, files: pulled, bytes: pulled.reduce((a, f) => a + f.size, 0), fetchedBytes: 0 };
}
