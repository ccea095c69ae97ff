import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonPrefixLength, SequencePool } from '../../src/server/engine/sequencePool.ts';

const seq = (name: string, ...contextTokens: number[]) => ({ name, contextTokens });

describe('SequencePool', () => {
  it('hands out the free sequence holding the longest prefix of the prompt', async () => {
    const pool = new SequencePool([seq('a', 1, 2), seq('b', 1, 2, 3, 4), seq('c', 9)]);
    assert.equal((await pool.acquire([1, 2, 3, 5])).name, 'b');
    assert.equal((await pool.acquire([9, 9])).name, 'c');
  });

  it('on equal prefixes takes an empty sequence first, the lowest in the context', async () => {
    const sequences = [seq('s0'), seq('s1'), seq('s2')];
    const pool = new SequencePool(sequences);
    const taken = [await pool.acquire([1]), await pool.acquire([1]), await pool.acquire([1])];
    assert.deepEqual(taken.map((s) => s.name), ['s0', 's1', 's2']);
    pool.release(taken[2]!);
    pool.release(taken[0]!);
    assert.equal((await pool.acquire([5])).name, 's0');
  });

  it('on equal prefixes otherwise takes the conversation released longest ago', async () => {
    const [a, b] = [seq('a', 7, 1, 2, 3), seq('b', 7, 4, 5, 6)];
    const pool = new SequencePool([a, b]);
    const [first, second] = [await pool.acquire([7, 1]), await pool.acquire([7, 4])];
    pool.release(second);
    pool.release(first);
    // Both share only the system prompt (7) with the new request: b was released first, so a keeps its cache.
    assert.equal((await pool.acquire([7, 9])).name, 'b');
  });

  it('queues requests beyond the pool in FIFO order, and an aborted wait leaves the queue', async () => {
    const pool = new SequencePool([seq('only')]);
    const held = await pool.acquire([1]);
    const controller = new AbortController();
    const order: string[] = [];
    const first = pool.acquire([1]).then((s) => (order.push('first'), s));
    const aborted = pool.acquire([1], controller.signal).catch(() => order.push('aborted'));
    const third = pool.acquire([1]).then(() => order.push('third'));
    assert.equal(pool.queued, 3);
    controller.abort(new Error('client went away'));
    await aborted;
    assert.equal(pool.queued, 2);
    pool.release(held);
    pool.release(await first);
    await third;
    assert.equal(pool.queued, 0);
    assert.deepEqual(order, ['aborted', 'first', 'third']);
  });

  it('commonPrefixLength', () => {
    assert.equal(commonPrefixLength([1, 2, 3], [1, 2, 4]), 2);
    assert.equal(commonPrefixLength([], [1]), 0);
    assert.equal(commonPrefixLength([1, 2], [1, 2]), 2);
  });
});
