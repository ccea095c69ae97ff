/**
 * Reusable buffers for downloaded data. A fresh buffer per write costs seconds of CPU per 2 GiB on a fast link:
 * the kernel maps and zeroes new pages for each one and the garbage collector frees them again. Buffers come back
 * after they were written and hashed.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(readonly size: number) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** A buffer from take() (or a view of one, or its transferred memory) is free again. */
  give(buffer: ArrayBuffer | Buffer): void {
    const memory = Buffer.isBuffer(buffer) ? buffer.buffer : buffer;
    if (memory.byteLength === this.size) this.free.push(Buffer.from(memory as ArrayBuffer));
  }
}
