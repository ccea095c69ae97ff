/** The resume record beside a partial blob: which bytes of each chunk are on disk. */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { ChunkLayout } from './chunkPlan.js';

export interface BlobState extends ChunkLayout {
  version: 1;
  etag: string;
  size: number;
  /** Bytes on disk from the start of each chunk. */
  done: number[];
}

export const incompletePath = (blob: string) => `${blob}.incomplete`;
export const statePath = (blob: string) => `${blob}.incomplete.json`;

/** The saved state if it matches this download; otherwise undefined (start over). */
export async function loadBlobState(blob: string, etag: string, size: number): Promise<BlobState | undefined> {
  try {
    const state = JSON.parse(await readFile(statePath(blob), 'utf8')) as BlobState;
    const valid = state.version === 1 && state.etag === etag && state.size === size && Array.isArray(state.done) && state.done.every((n) => Number.isSafeInteger(n) && n >= 0);
    return valid ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Written atomically (rename), so a reader sees the old record or the new one, never half of one. */
export async function saveBlobState(blob: string, state: BlobState): Promise<void> {
  const tmp = `${statePath(blob)}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, statePath(blob));
}

export async function removeBlobState(blob: string): Promise<void> {
  await rm(statePath(blob), { force: true });
}

/** Bytes of a partial download already on disk (for the disk-space check and progress). */
export async function bytesOnDisk(blob: string, etag: string, size: number): Promise<number> {
  const state = await loadBlobState(blob, etag, size);
  return state ? state.done.reduce((a, b) => a + b, 0) : 0;
}
