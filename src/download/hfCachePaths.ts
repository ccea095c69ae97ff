/** The standard Hugging Face cache layout, so vLLM and transformers reuse our files. Pure. */
import { dirname, join, relative } from 'node:path';

export interface RepoCache {
  root: string;
  blobs: string;
  refs: string;
  snapshots: string;
  locks: string;
}

export function repoFolderName(repo: string): string {
  return `models--${repo.replace(/\//g, '--')}`;
}

export function repoCache(cacheDir: string, repo: string): RepoCache {
  const name = repoFolderName(repo);
  const root = join(cacheDir, name);
  return { root, blobs: join(root, 'blobs'), refs: join(root, 'refs'), snapshots: join(root, 'snapshots'), locks: join(cacheDir, '.locks', name) };
}

export const blobPath = (cache: RepoCache, etag: string) => join(cache.blobs, etag);
export const snapshotDir = (cache: RepoCache, commit: string) => join(cache.snapshots, commit);
export const snapshotFile = (cache: RepoCache, commit: string, path: string) => join(cache.snapshots, commit, ...path.split('/'));
export const refFile = (cache: RepoCache, revision: string) => join(cache.refs, ...revision.split('/'));
export const lockFile = (cache: RepoCache, etag: string) => join(cache.locks, `${etag}.lock`);

/** The relative target of a snapshot symlink: ../../blobs/<etag>, with one more ../ per folder in the path. */
export function symlinkTarget(cache: RepoCache, commit: string, path: string, etag: string): string {
  return relative(dirname(snapshotFile(cache, commit, path)), blobPath(cache, etag));
}

export const isCommitHash = (revision: string) => /^[0-9a-f]{40}$/.test(revision);
