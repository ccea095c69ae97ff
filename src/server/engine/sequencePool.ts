/**
 * The context's sequences, handed out one per request. Requests beyond the pool wait in FIFO order. A free
 * sequence whose evaluated tokens share the longest prefix with the new prompt is preferred: agents resend the
 * same growing conversation, so most of it is already evaluated there.
 */
export interface PoolSequence {
  readonly contextTokens: readonly number[];
}

export class SequencePool<S extends PoolSequence> {
  private readonly free: S[];
  private readonly waiting: { prompt: readonly number[]; resolve: (s: S) => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort?: () => void }[] = [];

  /** Position in the context: among empty sequences the lowest is taken, keeping busy ones consecutive (llama.cpp decodes consecutive sequence ids in one pass). */
  private readonly order: Map<S, number>;

  constructor(sequences: S[]) {
    this.free = [...sequences];
    this.order = new Map(sequences.map((s, i) => [s, i]));
  }

  get queued(): number {
    return this.waiting.length;
  }

  get available(): number {
    return this.free.length;
  }

  /**
   * True when a request would start now on a free sequence holding at least `cached` tokens it shares less than half
   * of: taking it throws a cached conversation away.
   */
  wouldDiscard(prompt: readonly number[], cached: number): boolean {
    if (this.waiting.length > 0 || this.free.length === 0) return false;
    const chosen = this.free[this.choose(prompt)]!;
    return chosen.contextTokens.length >= cached && commonPrefixLength(chosen.contextTokens, prompt) * 2 < chosen.contextTokens.length;
  }

  acquire(prompt: readonly number[], signal?: AbortSignal): Promise<S> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiting.length === 0 && this.free.length > 0) return Promise.resolve(this.take(prompt));
    return new Promise<S>((resolve, reject) => {
      const entry: (typeof this.waiting)[number] = { prompt, resolve, reject, ...(signal ? { signal } : {}) };
      if (signal) {
        entry.onAbort = () => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waiting.push(entry);
    });
  }

  release(sequence: S): void {
    const next = this.waiting.shift();
    if (next) {
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      this.free.push(sequence);
      next.resolve(this.take(next.prompt));
      return;
    }
    this.free.push(sequence);
  }

  /**
   * The longest common prefix wins. On a tie an empty sequence goes first (lowest position first: nothing cached is
   * lost), then the one released longest ago (the least recently used conversation).
   */
  private take(prompt: readonly number[]): S {
    return this.free.splice(this.choose(prompt), 1)[0]!;
  }

  private choose(prompt: readonly number[]): number {
    let best = 0;
    let bestLength = -1;
    const rank = (s: S) => (s.contextTokens.length === 0 ? this.order.get(s)! : Number.MAX_SAFE_INTEGER);
    this.free.forEach((s, i) => {
      const length = commonPrefixLength(s.contextTokens, prompt);
      if (length > bestLength || (length === bestLength && rank(s) < rank(this.free[best]!))) [best, bestLength] = [i, length];
    });
    return best;
  }
}

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
