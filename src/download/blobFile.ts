/**
 * The partial file of a blob. On local file systems known to do it well, whole aligned blocks are written with O_DIRECT:
 * straight from our buffers to the disk, with no copy into the page cache. That copy was most of the CPU time of a
 * fast download (the kernel allocates and fills gigabytes of cache pages while the hash and the network need the
 * same cores), and a multi-GB model evicts everything else from the cache for data read once. Other writes
 * (unaligned starts, the tail of the file) and other file systems use the page cache: on NFS or a cluster file
 * system a direct write waits for the server, and tmpfs has no disk to write to.
 */
import { constants, writeSync } from 'node:fs';
import { open, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** statfs magic numbers: ext4 (also ext2/3), XFS, Btrfs. */
const DIRECT_FILE_SYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e]);

/** Whether files in `dir` get direct writes: Linux, and a local file system that does them well. */
export async function writesDirectlyIn(dir: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  const info = await statfs(dir).catch(() => undefined);
  return info !== undefined && DIRECT_FILE_SYSTEMS.has(Number(info.type));
}

/** File offsets and lengths of direct writes are multiples of this (any disk's logical block size divides it). */
export const DIRECT_BLOCK = 4096;

export class BlobFile {
  /** Bytes written with O_DIRECT so far. */
  directBytes = 0;
  private lastOffset = 0;

  private constructor(
    readonly handle: FileHandle,
    private direct: FileHandle | undefined,
    /** A scratch file on the same file system, to find how a buffer's memory must be aligned for direct writes. */
    private probe: FileHandle | undefined,
  ) {}

  /** Opens `path` (kept when `resume`, else truncated), with a direct-write handle when the system has one. */
  static async open(path: string, resume: boolean): Promise<BlobFile> {
    const handle = resume ? await open(path, 'r+').catch(() => open(path, 'w')) : await open(path, 'w');
    if (!(await writesDirectlyIn(dirname(path)))) return new BlobFile(handle, undefined, undefined);
    const probePath = `${path}.probe`;
    const [direct, probe] = await Promise.all([
      open(path, constants.O_WRONLY | constants.O_DIRECT).catch(() => undefined),
      open(probePath, constants.O_RDWR | constants.O_CREAT | constants.O_DIRECT).catch(() => undefined),
    ]);
    await unlink(probePath).catch(() => undefined);
    if (direct && probe) return new BlobFile(handle, direct, probe);
    await Promise.all([direct?.close(), probe?.close()]);
    return new BlobFile(handle, undefined, undefined);
  }

  /**
   * Where in `memory` (DIRECT_BLOCK bytes longer than needed) a buffer must start for direct writes: the memory
   * address must be aligned as the disk requires, and JavaScript cannot see addresses, so each candidate start is
   * tried with a one-block write to the probe file (the first that works; usually the first or one of a few).
   */
  alignedOffset(memory: ArrayBuffer): number {
    if (!this.probe) return 0;
    // The allocator usually places big buffers alike: the last answer first.
    for (const offset of [this.lastOffset, ...Array.from({ length: DIRECT_BLOCK / 16 }, (_, i) => i * 16)]) {
      try {
        writeSync(this.probe.fd, new Uint8Array(memory, offset, DIRECT_BLOCK), 0, DIRECT_BLOCK, 0);
        return (this.lastOffset = offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') break;
      }
    }
    // No start works: this file system takes no direct writes after all.
    void this.dropDirect();
    return 0;
  }

  /** Writes all of `data` at `position`: directly when both are block-aligned, else through the page cache. */
  async write(data: Buffer, position: number): Promise<void> {
    let target = this.direct && position % DIRECT_BLOCK === 0 && data.length % DIRECT_BLOCK === 0 ? this.direct : this.handle;
    for (let done = 0; done < data.length; ) {
      try {
        const { bytesWritten } = await target.write(data, done, data.length - done, position + done);
        done += bytesWritten;
        if (target === this.direct) this.directBytes += bytesWritten;
      } catch (error) {
        // EINVAL: this buffer's memory is not aligned (or the file system refuses after all): the page cache takes it.
        if (target === this.handle || (error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
        target = this.handle;
      }
    }
  }

  async close(): Promise<void> {
    await this.dropDirect();
    await this.handle.close();
  }

  private async dropDirect(): Promise<void> {
    const handles = [this.direct, this.probe];
    [this.direct, this.probe] = [undefined, undefined];
    await Promise.all(handles.map((h) => h?.close().catch(() => undefined)));
  }
}
