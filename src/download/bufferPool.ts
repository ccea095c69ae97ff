/**
 * Reusable buffers for downloaded data. A fresh buffer per write costs seconds of CPU per 2 GiB on a fast link:
 * the kernel maps and zeroes new pages for each one and the garbage collector frees them again. Buffers come back
 * after they were written and hashed. Each lies in memory with `slack` spare bytes, at the start `align` picks
 * (direct writes need aligned memory).
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly slack = 0,
    private readonly align: (memory: ArrayBuffer) => number = () => 0,
  ) {}

  take(): Buffer {
    const pooled = this.free.pop();
    if (pooled) return pooled;
    const memory = new ArrayBuffer(this.size + this.slack);
    return Buffer.from(memory, this.align(memory), this.size);
  }

  /** A buffer from take(), or a view of its memory starting where it started (also after a transfer), is free again. */
  give(view: Buffer): void {
    if (view.buffer.byteLength === this.size + this.slack) this.free.push(Buffer.from(view.buffer as ArrayBuffer, view.byteOffset, this.size));
  }
}
