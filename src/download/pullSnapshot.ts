/**
 * A repo snapshot (or part of it) into the standard Hugging Face cache: resolve the revision, list the
 * files, skip what is already complete, check the disk, download each missing blob under a lock, then
 * link snapshots/<commit>/<path> to it and record refs/<revision>.
 */
import { copyFile, mkdir, readlink, rm, stat, statfs, symlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DevstralError } from '../errors.js';
import { formatGiB } from '../plan/estimateMemory.js';
import { acquireBlobLock } from './blobLock.js';
import { bytesOnDisk } from './blobState.js';
import { downloadBlob, type DownloadOptions } from './downloadBlob.js';
import { blobPath, isCommitHash, lockFile, refFile, repoCache, snapshotDir, snapshotFile, symlinkTarget, type RepoCache } from './hfCachePaths.js';
import type { HubClient } from './hubClient.js';
import type { PulledFile, PullEvent, PullRequest, PullResult } from './pullTypes.js';
import { readOfflineSnapshot } from './readOfflineSnapshot.js';
import { readRemoteGgufHeader } from './readRemoteGgufHeader.js';
import { selectFiles, type RemoteFile } from './selectFiles.js';

export type { PulledFile, PullEvent, PullRequest, PullResult } from './pullTypes.js';

export interface PullOptions extends Omit<DownloadOptions, 'client' | 'onProgress'> {
  client: HubClient;
  cacheDir: string;
  offline: boolean;
  onEvent?: (event: PullEvent) => void;
  /** Read a GGUF's header from the hub before downloading it (a wrong file fails in seconds, not after 14 GB). */
  inspectGguf?: boolean;
  /** Free bytes where the cache is (injected so a full disk can be tested). */
  freeBytes?: (path: string) => Promise<number>;
}

export async function pullSnapshot(request: PullRequest, options: PullOptions): Promise<PullResult> {
  const cache = repoCache(options.cacheDir, request.repo);
  if (options.offline) return readOfflineSnapshot(request, cache);
  const { commit, files } = await remoteFiles(request, options.client);

  const cached = await Promise.all(files.map((f) => isComplete(blobPath(cache, f.etag), f.size)));
  const missing = await Promise.all(files.map(async (f, i) => (cached[i] ? 0 : f.size - (await bytesOnDisk(blobPath(cache, f.etag), f.etag, f.size)))));
  const missingBytes = missing.reduce((a, b) => a + b, 0);
  options.onEvent?.({ type: 'resolved', repo: request.repo, revision: request.revision, commit, files: files.map((f, i) => ({ path: f.path, size: f.size, cached: cached[i]! })), missingBytes });
  if (missingBytes > 0) await checkDiskSpace(options.cacheDir, missingBytes, options.freeBytes ?? freeBytesAt);

  const pulled: PulledFile[] = [];
  for (const [i, file] of files.entries()) {
    const fetchedBytes = cached[i] ? 0 : await fetchBlob(request, file, cache, commit, options);
    const localPath = await linkSnapshotFile(cache, commit, file);
    pulled.push({ path: file.path, localPath, size: file.size, fetchedBytes, cached: cached[i]! || fetchedBytes === 0 });
    options.onEvent?.({ type: 'file-done', path: file.path, size: file.size, fetchedBytes, cached: cached[i]! });
  }
  if (request.revision !== commit) {
    await mkdir(dirname(refFile(cache, request.revision)), { recursive: true });
    await writeFile(refFile(cache, request.revision), commit);
  }
  return {
    repo: request.repo,
    revision: request.revision,
    commit,
    snapshotDir: snapshotDir(cache, commit),
    files: pulled,
    bytes: pulled.reduce((a, f) => a + f.size, 0),
    fetchedBytes: pulled.reduce((a, f) => a + f.fetchedBytes, 0),
  };
}

/** The commit and the selected files: one HEAD for a single file, else the revision and its file tree. */
async function remoteFiles(request: PullRequest, client: HubClient): Promise<{ commit: string; files: RemoteFile[] }> {
  const { selection } = request;
  if (selection.kind === 'paths' && selection.required.length === 1 && !selection.optional?.length) {
    const head = await client.headFile(request.repo, request.revision, selection.required[0]!);
    if (head) return { commit: head.commit, files: [head.file] };
  }
  const commit = isCommitHash(request.revision) ? request.revision : await client.resolveRevision(request.repo, request.revision);
  return { commit, files: selectFiles(await client.listFiles(request.repo, commit), selection, `${request.repo}@${request.revision}`) };
}

async function fetchBlob(request: PullRequest, file: RemoteFile, cache: RepoCache, commit: string, options: PullOptions): Promise<number> {
  const dest = blobPath(cache, file.etag);
  await mkdir(cache.blobs, { recursive: true });
  const release = await acquireBlobLock(lockFile(cache, file.etag), {
    ...(options.signal ? { signal: options.signal } : {}),
    onWait: () => options.onEvent?.({ type: 'waiting', path: file.path }),
  });
  try {
    // Another pull may have finished it while we waited.
    if (await isComplete(dest, file.size)) return 0;
    const url = options.client.fileUrl(request.repo, commit, file.path);
    const label = `${request.repo}/${file.path}`;
    if (options.inspectGguf && /\.gguf$/i.test(file.path) && !/-0000[2-9]-of-|-000[1-9]\d-of-/.test(file.path)) {
      options.onEvent?.({ type: 'gguf', path: file.path, summary: await readRemoteGgufHeader(options.client, url, label, options.signal) });
    }
    const resumedBytes = await bytesOnDisk(dest, file.etag, file.size);
    options.onEvent?.({ type: 'file-start', path: file.path, size: file.size, resumedBytes });
    const result = await downloadBlob(
      { url, size: file.size, etag: file.etag, lfs: file.lfs, dest, label, ...(file.downloadUrl ? { downloadUrl: file.downloadUrl } : {}) },
      {
        ...options,
        onProgress: (bytes) => options.onEvent?.({ type: 'progress', path: file.path, bytes, size: file.size }),
        onRetry: (retry) => options.onEvent?.({ type: 'retry', path: file.path, ...retry }),
      },
    );
    return result.fetchedBytes;
  } finally {
    await release();
  }
}

/** snapshots/<commit>/<path> -> ../../blobs/<etag>, relative so the cache can move; a copy where symlinks are not allowed. */
async function linkSnapshotFile(cache: RepoCache, commit: string, file: RemoteFile): Promise<string> {
  const link = snapshotFile(cache, commit, file.path);
  const target = symlinkTarget(cache, commit, file.path, file.etag);
  await mkdir(dirname(link), { recursive: true });
  if ((await readlink(link).catch(() => undefined)) === target) return link;
  await rm(link, { force: true });
  try {
    await symlink(target, link);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    await copyFile(blobPath(cache, file.etag), link);
  }
  return link;
}

async function isComplete(path: string, size: number): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && info.isFile() && info.size === size;
}

async function freeBytesAt(path: string): Promise<number> {
  for (let dir = path; ; dir = dirname(dir)) {
    const info = await statfs(dir).catch(() => undefined);
    if (info) return info.bavail * info.bsize;
    if (dirname(dir) === dir) return Number.POSITIVE_INFINITY;
  }
}

async function checkDiskSpace(cacheDir: string, needed: number, freeBytes: (path: string) => Promise<number>): Promise<void> {
  const free = await freeBytes(cacheDir);
  if (needed > free) {
    throw new DevstralError('download', `not enough disk space: the download needs ${formatGiB(needed)}, ${formatGiB(free)} is free at ${cacheDir}`, {
      hint: 'free some space, or point HF_HUB_CACHE (or HF_HOME) at a disk with room',
    });
  }
}

