/** How a file is split into Range requests, and which chunk a connection takes next. Pure. */
export interface ChunkPlan {
  size: number;
  chunkBytes: number;
  /** Chunks from this one on are tailBytes long. */
  tailFrom: number;
  tailBytes: number;
  count: number;
}

/** What a resume record keeps of a plan (records without the tail fields had none). */
export interface ChunkLayout {
  chunkBytes: number;
  tailFrom?: number;
  tailBytes?: number;
}

const MiB = 1024 ** 2;
/** Chunk starts stay multiples of this (direct writes need aligned offsets). */
const ALIGN = 4096;

/**
 * Chunks small enough to spread over the connections and to bound memory, big enough to keep requests few. The
 * last round (a chunk per connection) comes in quarters: those chunks would all finish about together, and what
 * they brought would then wait to be hashed in order (and a slow connection holds the end up less).
 */
export function planChunks(size: number, connections: number, chunkBytes?: number): ChunkPlan {
  const bytes = chunkBytes ?? Math.min(32 * MiB, Math.max(4 * MiB, Math.ceil(size / (connections * 4) / MiB) * MiB));
  const full = Math.max(1, Math.ceil(size / bytes));
  if (full <= connections) return layoutChunks(size, { chunkBytes: bytes });
  return layoutChunks(size, { chunkBytes: bytes, tailFrom: full - connections, tailBytes: Math.ceil(bytes / 4 / ALIGN) * ALIGN });
}

/** The plan a layout describes (a resume keeps its record's layout, whatever the connections now). */
export function layoutChunks(size: number, layout: ChunkLayout): ChunkPlan {
  const { chunkBytes } = layout;
  const tailFrom = layout.tailFrom ?? Math.max(1, Math.ceil(size / chunkBytes));
  const tailBytes = layout.tailBytes ?? chunkBytes;
  const tailStart = tailFrom * chunkBytes;
  const count = tailStart >= size ? Math.max(1, Math.ceil(size / chunkBytes)) : tailFrom + Math.ceil((size - tailStart) / tailBytes);
  return { size, chunkBytes, tailFrom, tailBytes, count };
}

export const chunkStart = (plan: ChunkPlan, i: number) =>
  i < plan.tailFrom ? i * plan.chunkBytes : plan.tailFrom * plan.chunkBytes + (i - plan.tailFrom) * plan.tailBytes;
export const chunkLength = (plan: ChunkPlan, i: number) => Math.min(i < plan.tailFrom ? plan.chunkBytes : plan.tailBytes, plan.size - chunkStart(plan, i));

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
