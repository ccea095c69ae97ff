/**
 * One file -> a verified blob: parallel HTTP Range chunks over several connections (the bytes from BlobSource),
 * each retried with backoff and restarted when it stalls, resumable from the bytes on disk, hashed while downloading
 * (in order, so data ahead of the hash cursor waits in memory within a bounded window), and renamed into
 * blobs/ only after the hash and size match.
 */
import { rename, rm } from 'node:fs/promises';
import { DevstralError } from '../errors.js';
import { networkFailure } from './networkRetry.js';
import { incompletePath, loadBlobState, removeBlobState, saveBlobState, type BlobState } from './blobState.js';
import { chunkLength, chunkStart, layoutChunks, nextChunk, planChunks, type ChunkPlan } from './chunkPlan.js';
import { answersRange, BlobSource, RangeIgnored, type BlobRequest, type SourceOptions } from './blobSource.js';
import type { OpenedFile } from './hubClient.js';
import { BlobFile, DIRECT_BLOCK } from './blobFile.js';
import { BufferPool } from './bufferPool.js';
import { ChunkWriter } from './chunkWriter.js';
import { createIncrementalHash, type IncrementalHash } from './incrementalHash.js';
import { sleep } from '../sleep.js';

export interface DownloadOptions extends SourceOptions {
  connections?: number;
  chunkBytes?: number;
  /** Attempts per chunk before the download fails. */
  attempts?: number;
  retryBaseMs?: number;
  /** Bytes of the file on disk so far (resumed bytes included). */
  onProgress?: (bytesOnDisk: number) => void;
  /** A part failed (a dropped connection, a stall) and is tried again after `waitMs`, from the bytes already on disk. */
  onRetry?: (info: { attempt: number; attempts: number; waitMs: number; reason: string }) => void;
}

export interface DownloadResult {
  /** Bytes fetched in this run (a resume fetches only what is missing). */
  fetchedBytes: number;
  resumedBytes: number;
}

const WRITE_BYTES = 4 * 1024 * 1024;
const HASH_ON_WORKER_BYTES = 64 * 1024 * 1024;

export async function downloadBlob(blob: BlobRequest, options: DownloadOptions): Promise<DownloadResult> {
  const connections = Math.max(1, options.connections ?? 8);
  const saved = await loadBlobState(blob.dest, blob.etag, blob.size);
  // A resume keeps the chunks of the run before, whatever the connections now.
  const keep = saved && (options.chunkBytes ?? saved.chunkBytes) === saved.chunkBytes;
  const plan = keep ? layoutChunks(blob.size, saved) : planChunks(blob.size, connections, options.chunkBytes);
  const { chunkBytes, tailFrom, tailBytes, count } = plan;
  const state: BlobState = keep && saved.done.length === count ? saved : { version: 1, etag: blob.etag, size: blob.size, chunkBytes, tailFrom, tailBytes, done: new Array<number>(count).fill(0) };
  const tmp = incompletePath(blob.dest);
  const file = await BlobFile.open(tmp, state === saved);
  // A record claiming bytes past the end of the file (a power cut lost them, or the file was replaced): start over.
  const length = (await file.handle.stat()).size;
  if (state !== saved || state.done.some((n, i) => n > 0 && chunkStart(plan, i) + n > length)) state.done.fill(0);
  const run = new BlobRun(blob, options, plan, state, file, connections);
  try {
    const result = await run.execute();
    await file.close();
    await rename(tmp, blob.dest);
    await removeBlobState(blob.dest);
    return result;
  } catch (error) {
    run.abandon();
    await file.close().catch(() => undefined);
    if (error instanceof DevstralError && error.code === 'download' && /hash|size/.test(error.message)) {
      await rm(tmp, { force: true });
      await removeBlobState(blob.dest);
    }
    throw error;
  }
}

class BlobRun {
  private readonly inFlight = new Set<number>();
  /** Data fetched in this run for each chunk, kept until it is hashed. */
  private readonly pending: Buffer[][];
  /** Bytes of each chunk that were on disk before this run (hashed from disk). */
  private readonly onDiskAtStart: number[];
  private hash: IncrementalHash;
  private hashCursor = 0;
  private fetched = 0;
  private readonly resumed: number;
  private readonly source: BlobSource;
  private waiters: (() => void)[] = [];
  private failure: unknown;
  private lastSave = Date.now();
  private readonly window: number;
  private readonly buffers: BufferPool;

  constructor(
    private readonly blob: BlobRequest,
    private readonly options: DownloadOptions,
    private plan: ChunkPlan,
    private readonly state: BlobState,
    private readonly file: BlobFile,
    private readonly connections: number,
  ) {
    this.pending = state.done.map(() => []);
    this.onDiskAtStart = [...state.done];
    this.resumed = state.done.reduce((a, b) => a + b, 0);
    this.hash = this.newHash();
    this.window = connections + 4;
    this.source = new BlobSource(blob, options);
    this.buffers = new BufferPool(WRITE_BYTES, DIRECT_BLOCK, (memory) => file.alignedOffset(memory));
  }

  async execute(): Promise<DownloadResult> {
    try {
      await Promise.all(Array.from({ length: Math.min(this.connections, this.plan.count) }, () => this.worker()));
    } catch (error) {
      if (!(error instanceof RangeIgnored)) {
        await this.saveState(true).catch(() => undefined);
        throw error;
      }
      await this.sequential();
    }
    await this.advanceHash();
    // A record written after the blob is complete would be left behind.
    await this.saving?.catch(() => undefined);
    const actual = await this.hash.digest();
    const { size } = await this.file.handle.stat();
    if (size !== this.blob.size) {
      throw new DevstralError('download', `${this.blob.label}: size check failed: expected ${this.blob.size} bytes, got ${size}`, { hint: 'run the pull again' });
    }
    if (actual !== this.blob.etag) {
      throw new DevstralError('download', `${this.blob.label}: hash mismatch: expected ${this.blob.lfs ? 'sha256' : 'git sha1'} ${this.blob.etag}, got ${actual}; the bad bytes were deleted`, {
        hint: 'run the pull again; if it keeps failing, a proxy or the network is altering the data',
      });
    }
    return { fetchedBytes: this.fetched, resumedBytes: this.resumed };
  }

  /** The download failed: the hash worker is not needed any more. */
  abandon(): void {
    this.hash.dispose();
  }

  private newHash(): IncrementalHash {
    // Git hashes regular files as "blob <size>\0" + content.
    const onWorker = this.blob.size >= HASH_ON_WORKER_BYTES;
    const recycle = (data: Buffer) => this.buffers.give(data);
    return this.blob.lfs ? createIncrementalHash('sha256', '', onWorker, recycle) : createIncrementalHash('sha1', `blob ${this.blob.size}\0`, onWorker, recycle);
  }

  private notify() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async worker(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const i = nextChunk(this.plan, this.state.done, this.inFlight, this.hashCursor, this.window);
      if (i === undefined) {
        if (this.inFlight.size === 0) {
          // Everything within reach is complete: chunks resumed from disk may still hold the hash cursor back.
          const cursor = this.hashCursor;
          await this.advanceHash();
          if (this.hashCursor === cursor) return;
          continue;
        }
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      this.inFlight.add(i);
      try {
        await this.fetchChunk(i);
      } catch (error) {
        this.failure ??= error;
        this.notify();
        throw error;
      } finally {
        this.inFlight.delete(i);
      }
      await this.advanceHash();
      await this.saveState(false);
      this.notify();
    }
  }

  /** Fetches what is missing of chunk i, retrying with backoff; throws after the last attempt. */
  private async fetchChunk(i: number): Promise<void> {
    const attempts = this.options.attempts ?? 6;
    for (let attempt = 1; ; attempt++) {
      const before = this.state.done[i]!;
      try {
        await this.fetchOnce(i);
        return;
      } catch (error) {
        if (error instanceof RangeIgnored || (error instanceof DevstralError && !/retry/.test(error.message))) throw error;
        if (this.options.signal?.aborted) throw this.options.signal.reason ?? error;
        // An answer that brought bytes is progress, not a failure: a link that drops every few MiB still finishes.
        if (this.state.done[i]! > before) {
          attempt = 0;
          continue;
        }
        const reason = networkFailure(error) === 'dropped' ? 'connection dropped' : networkFailure(error) === 'unreachable' ? 'cannot reach the server' : (error as Error).message;
        if (attempt >= attempts) {
          throw new DevstralError('download', `${this.blob.label}: bytes ${chunkStart(this.plan, i) + this.state.done[i]!}.. failed ${attempts} times: ${reason} (${(error as Error).message})`, {
            hint: 'check the network and run the pull again: it resumes from the bytes already on disk',
            cause: error,
          });
        }
        const waitMs = (this.options.retryBaseMs ?? 500) * 2 ** (attempt - 1);
        this.options.onRetry?.({ attempt, attempts, waitMs, reason });
        await sleep(waitMs, this.options.signal);
      }
    }
  }

  private async fetchOnce(i: number): Promise<void> {
    const length = chunkLength(this.plan, i);
    const start = chunkStart(this.plan, i) + this.state.done[i]!;
    const end = chunkStart(this.plan, i) + length - 1;
    if (start > end) return;
    const range = `bytes=${start}-${end}`;
    const whole = this.plan.count === 1 && start === 0;
    if (!(await this.source.readDirect(start, end, whole, () => this.writer(i, start)))) {
      const response = await this.source.open(range);
      if (response.status === 200) {
        if (whole) return this.consume(response, i, 0);
        await response.body.dump().catch(() => undefined);
        throw new RangeIgnored();
      }
      if (response.status !== 206) return this.source.reject(response);
      if (!answersRange(response.headers, start, end)) {
        await response.body.dump().catch(() => undefined);
        throw new Error(`the server answered Content-Range "${response.headers['content-range']}" for ${range}`);
      }
      await this.consume(response, i, start);
    }
    if (this.state.done[i]! < length) throw new Error(`the connection closed after ${this.state.done[i]} of ${length} bytes`);
  }

  /** Writes a response body at its offset and keeps it for hashing. */
  private async consume(response: OpenedFile, i: number, position: number): Promise<void> {
    const writer = this.writer(i, position);
    try {
      for await (const piece of response.body as AsyncIterable<Buffer>) await writer.append(piece);
    } finally {
      await writer.finish();
    }
  }

  private writer(i: number, position: number): ChunkWriter {
    return new ChunkWriter(this.buffers, this.file, position, (data) => {
      this.state.done[i]! += data.length;
      this.pending[i]!.push(data);
      this.fetched += data.length;
      this.options.onProgress?.(this.resumed + this.fetched);
      // A failure here also fails the workers' own advanceHash().
      if (i === this.hashCursor) this.advanceHash().catch(() => undefined);
    });
  }

  /**
   * Feeds the hash in order: bytes from earlier runs from disk, new ones from memory, up to where the chunk at the
   * cursor has arrived (hashing it while it downloads leaves less to hash after the last byte).
   */
  private hashing: Promise<void> = Promise.resolve();
  private advanceHash(): Promise<void> {
    this.hashing = this.hashing.then(async () => {
      while (this.hashCursor < this.plan.count) {
        const i = this.hashCursor;
        const fromDisk = this.onDiskAtStart[i]!;
        if (fromDisk > 0) await this.hashFromDisk(chunkStart(this.plan, i), fromDisk);
        this.onDiskAtStart[i] = 0;
        for (const piece of this.pending[i]!) this.hash.update(piece);
        this.pending[i] = [];
        if (this.state.done[i]! < chunkLength(this.plan, i)) break;
        this.hashCursor++;
      }
    });
    return this.hashing;
  }

  private async hashFromDisk(position: number, length: number): Promise<void> {
    for (let done = 0; done < length; ) {
      // The hash takes the buffer over (and gives it back to the pool once hashed).
      const buffer = this.buffers.take();
      const { bytesRead } = await this.file.handle.read(buffer, 0, Math.min(length - done, buffer.length), position + done);
      if (bytesRead === 0) throw new Error('the partial file is shorter than its resume record');
      this.hash.update(buffer.subarray(0, bytesRead));
      done += bytesRead;
    }
  }

  /** The server ignores Range: start over with one plain GET of the whole file. */
  private async sequential(): Promise<void> {
    await this.hashing;
    // The chunked record no longer describes the file.
    await this.saving?.catch(() => undefined);
    await removeBlobState(this.blob.dest);
    this.plan = layoutChunks(this.blob.size, { chunkBytes: Math.max(1, this.blob.size) });
    Object.assign(this.state, { chunkBytes: this.plan.chunkBytes, tailFrom: this.plan.tailFrom, tailBytes: this.plan.tailBytes });
    this.state.done = [0];
    this.pending.length = 0;
    this.pending.push([]);
    this.onDiskAtStart.length = 0;
    this.onDiskAtStart.push(0);
    this.hash.dispose();
    this.hash = this.newHash();
    this.hashCursor = 0;
    await this.file.handle.truncate(0);
    const attempts = this.options.attempts ?? 6;
    for (let attempt = 1; ; attempt++) {
      const response = await this.source.open('bytes=0-').catch((error: unknown) => error as Error);
      if (!(response instanceof Error) && (response.status === 200 || response.status === 206)) {
        try {
          await this.consume(response, 0, 0);
          if (this.state.done[0] === this.blob.size) return;
        } catch {
          // fall through to a retry
        }
      } else if (!(response instanceof Error)) {
        await this.source.reject(response);
      }
      if (attempt >= attempts) throw new DevstralError('download', `${this.blob.label}: the download failed ${attempts} times (the server does not support resuming)`, { hint: 'run the pull again' });
      this.state.done[0] = 0;
      this.pending[0] = [];
      await this.file.handle.truncate(0);
      await sleep((this.options.retryBaseMs ?? 500) * 2 ** (attempt - 1), this.options.signal);
    }
  }

  /**
   * The resume record, every second in the background (never holding the connections up). Its bytes were written
   * but not necessarily synced: a process that dies leaves them in the page cache, and a forced save (failure,
   * Ctrl-C) syncs first. Syncing every second cost more than the download (seconds of writeback per GiB); after a
   * power cut, bytes the disk lost fail the hash check and the file is fetched again.
   */
  private saving: Promise<void> | undefined;
  private saveState(force: boolean): Promise<void> {
    if (this.saving) return force ? this.saving.catch(() => undefined).then(() => this.saveState(true)) : Promise.resolve();
    if (!force && Date.now() - this.lastSave < 1000) return Promise.resolve();
    const done = [...this.state.done];
    this.saving = (async () => {
      try {
        if (force) await this.file.handle.datasync();
        await saveBlobState(this.blob.dest, { ...this.state, done });
      } finally {
        this.lastSave = Date.now();
        this.saving = undefined;
      }
    })();
    const saving = this.saving;
    if (!force) saving.catch(() => undefined);
    return force ? saving : Promise.resolve();
  }
}
