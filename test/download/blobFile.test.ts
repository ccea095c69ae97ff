import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, openSync, rmSync, statfsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BlobFile, DIRECT_BLOCK } from '../../src/download/blobFile.js';
import { BufferPool } from '../../src/download/bufferPool.js';

/** ext4, XFS or Btrfs (by statfs magic), and O_DIRECT opens there. */
function directExpected(dir: string): boolean {
  if (process.platform !== 'linux' || ![0xef53, 0x58465342, 0x9123683e].includes(Number(statfsSync(dir).type))) return false;
  const path = join(dir, 'direct-check');
  try {
    closeSync(openSync(path, constants.O_CREAT | constants.O_WRONLY | constants.O_DIRECT));
    return true;
  } catch {
    return false;
  } finally {
    rmSync(path, { force: true });
  }
}

const dirs = [tmpdir(), ...(existsSync('/dev/shm') ? ['/dev/shm'] : [])];

describe('BlobFile', () => {
  for (const base of dirs) {
    it(`writes every byte where it belongs, whole aligned blocks directly on a local disk file system (${base})`, async () => {
      const dir = await mkdtemp(join(base, 'blobfile-'));
      try {
        const path = join(dir, 'x.incomplete');
        const file = await BlobFile.open(path, false);
        const pool = new BufferPool(512 * 1024, DIRECT_BLOCK, (memory) => file.alignedOffset(memory));
        const content = randomBytes(1024 * 1024 + 1234);
        // Aligned full buffers, a buffer at an unaligned offset, a short unaligned piece, the unaligned tail.
        const writes: [number, number][] = [[0, 256 * 1024], [256 * 1024, 256 * 1024], [512 * 1024 + 100, 256 * 1024], [512 * 1024, 100], [768 * 1024 + 100, content.length - 768 * 1024 - 100]];
        await Promise.all(
          writes.map(async ([position, length]) => {
            const buffer = pool.take().subarray(0, length);
            content.copy(buffer, 0, position, position + length);
            await file.write(buffer, position);
          }),
        );
        assert.deepEqual(await readdir(dir), ['x.incomplete'], 'no probe file is left');
        if (directExpected(dir)) assert.equal(file.directBytes, 2 * 256 * 1024);
        else assert.equal(file.directBytes, 0);
        await file.close();
        assert.ok((await readFile(path)).equals(content));
        // Resuming keeps the bytes.
        const again = await BlobFile.open(path, true);
        assert.equal((await again.handle.stat()).size, content.length);
        await again.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('pooled buffers come back at the aligned start, also as a view of their memory', async () => {
    const starts: number[] = [];
    const pool = new BufferPool(8192, DIRECT_BLOCK, () => (starts.push(512), 512));
    const a = pool.take();
    assert.deepEqual([a.byteOffset, a.length, a.buffer.byteLength, starts.length], [512, 8192, 8192 + DIRECT_BLOCK, 1]);
    pool.give(Buffer.from(a.buffer, a.byteOffset, 100));
    const b = pool.take();
    assert.deepEqual([b.buffer === a.buffer, b.byteOffset, b.length, starts.length], [true, 512, 8192, 1]);
    pool.give(Buffer.alloc(100)); // not from the pool: ignored
    assert.notEqual(pool.take().buffer, a.buffer);
  });
});
