import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkLength, chunkStart, layoutChunks, planChunks, type ChunkPlan } from '../../src/download/chunkPlan.js';

const MiB = 1024 ** 2;

/** Every byte in exactly one chunk, in order. */
function assertTiles(plan: ChunkPlan): void {
  let next = 0;
  for (let i = 0; i < plan.count; i++) {
    assert.equal(chunkStart(plan, i), next, `chunk ${i} starts where ${i - 1} ended`);
    assert.ok(chunkLength(plan, i) > 0, `chunk ${i} is not empty`);
    next += chunkLength(plan, i);
  }
  assert.equal(next, plan.size);
}

describe('planChunks', () => {
  it('tiles any file, with the last round (a chunk per connection) in aligned quarters', () => {
    for (const size of [1, 4095, 4 * MiB, 512 * MiB, 512 * MiB + 77, 14.3e9, 47_123_456_789]) {
      for (const connections of [1, 3, 8, 16]) {
        const plan = planChunks(size, connections);
        assertTiles(plan);
        const full = Math.ceil(size / plan.chunkBytes);
        if (full > connections) {
          assert.equal(plan.tailFrom, full - connections);
          assert.equal(plan.tailBytes, plan.chunkBytes / 4);
          assert.equal(chunkStart(plan, plan.tailFrom) % 4096, 0);
        } else {
          assert.equal(plan.count, full, `${size}/${connections}: no quarters when one round fetches it all`);
        }
      }
    }
    const b = planChunks(512 * MiB, 8);
    assert.deepEqual([b.chunkBytes, b.tailFrom, b.tailBytes, b.count], [16 * MiB, 24, 4 * MiB, 24 + 32]);
  });

  it('a record without tail fields (older runs) keeps its even chunks', () => {
    const plan = layoutChunks(3 * MiB + 77, { chunkBytes: 256 * 1024 });
    assert.equal(plan.count, 13);
    assertTiles(plan);
    const again = layoutChunks(512 * MiB, planChunks(512 * MiB, 8));
    assert.deepEqual(again, planChunks(512 * MiB, 8), 'a saved layout gives the same plan back');
  });
});
