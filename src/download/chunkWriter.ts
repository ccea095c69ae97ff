/**
 * One response body -> the file, from its offset on: the bytes land in pooled buffers of a few MiB (one 64 KiB
 * write per network read costs more than the network itself on localhost), each full buffer is written while the
 * next fills, and on a slow link whatever whole blocks arrived are written every FLUSH_AFTER_MS (progress and the
 * resume record move on; later writes stay aligned for direct writes). Writes happen in order, so `onWritten`
 * always extends a contiguous run of bytes.
 */
import { DIRECT_BLOCK, type BlobFile } from './blobFile.js';
import type { BufferPool } from './bufferPool.js';
import type { BodySink } from '../net/directHttpClient.js';

const FLUSH_AFTER_MS = 250;

export class ChunkWriter implements BodySink {
  private buffer: Buffer;
  private filled = 0;
  /** The last write queued, and the one before it (reading waits for that: at most one buffer waits to be written). */
  private tail: Promise<void> = Promise.resolve();
  private previous: Promise<void> = Promise.resolve();
  private flushedAt = performance.now();

  constructor(
    private readonly pool: BufferPool,
    private readonly file: BlobFile,
    private position: number,
    /** Written bytes in order, handed over for hashing: a pooled buffer when full, else an exact copy. */
    private readonly onWritten: (data: Buffer) => void,
  ) {
    this.buffer = pool.take();
  }

  space(): Buffer {
    return this.buffer.subarray(this.filled);
  }

  commit(n: number): boolean {
    this.filled += n;
    if (this.filled === this.buffer.length) {
      this.flush(this.filled);
      return false; // until the buffer before is written
    }
    if (performance.now() - this.flushedAt > FLUSH_AFTER_MS) this.flush(this.filled - ((this.position + this.filled) % DIRECT_BLOCK));
    return true;
  }

  ready(): Promise<void> {
    return this.previous;
  }

  /** Copies `data` in, waiting whenever two buffers are waiting to be written. */
  async append(data: Buffer): Promise<void> {
    for (let at = 0; at < data.length; ) {
      const n = data.copy(this.space(), 0, at);
      at += n;
      if (!this.commit(n)) await this.ready();
    }
  }

  /** Writes what is left; rejects if any write failed. */
  async finish(): Promise<void> {
    this.flush(this.filled);
    try {
      await this.tail;
    } finally {
      this.pool.give(this.buffer);
    }
  }

  /** Queues the write of the first `length` bytes; the rest moves to a fresh buffer. */
  private flush(length: number): void {
    if (length <= 0) return;
    const full = this.buffer;
    const end = this.filled;
    this.buffer = this.pool.take();
    full.copy(this.buffer, 0, length, end);
    this.filled = end - length;
    const position = this.position;
    this.position += length;
    this.flushedAt = performance.now();
    this.previous = this.tail;
    this.tail = this.tail.then(async () => {
      await this.file.write(full.subarray(0, length), position);
      if (length === full.length) return this.onWritten(full);
      // A partial buffer goes on as an exact copy: the pending data of a slow download does not hold 4 MiB a flush.
      this.onWritten(exactCopy(full, length));
      this.pool.give(full);
    });
    this.tail.catch(() => undefined); // surfaced by ready() and finish()
  }
}

/** Its own memory (never Node's shared slab): the hash worker may take it over. */
function exactCopy(buffer: Buffer, length: number): Buffer {
  const copy = Buffer.allocUnsafeSlow(length);
  buffer.copy(copy, 0, 0, length);
  return copy;
}
