/** How a file is split into Range requests, and which chunk a connection takes next. Pure. */
export interface ChunkPlan {
  size: number;
  chunkBytes: number;
  count: number;
}

const MiB = 1024 ** 2;

/** Chunks small enough to spread over the connections and to bound memory, big enough to keep requests few. */
export function planChunks(size: number, connections: number, chunkBytes?: number): ChunkPlan {
  const bytes = chunkBytes ?? Math.min(32 * MiB, Math.max(4 * MiB, Math.ceil(size / (connections * 4) / MiB) * MiB));
  return { size, chunkBytes: bytes, count: Math.max(1, Math.ceil(size / bytes)) };
}

export const chunkStart = (plan: ChunkPlan, i: number) => i * plan.chunkBytes;
export const chunkLength = (plan: ChunkPlan, i: number) => Math.min(plan.chunkBytes, plan.size - i * plan.chunkBytes);

/**
 * The first chunk that is neither complete nor being fetched, within `window` chunks of the hash cursor
 * (data past the cursor waits in memory until it can be hashed in order).
 */
export function nextChunk(plan: ChunkPlan, done: readonly number[], inFlight: ReadonlySet<number>, hashCursor: number, window: number): number | undefined {
  const limit = Math.min(plan.count, hashCursor + window);
  for (let i = hashCursor; i < limit; i++) {
    if (!inFlight.has(i) && done[i]! < chunkLength(plan, i)) return i;
  }
  return undefined;
}
