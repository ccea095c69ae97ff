/**
 * Makes node-llama-cpp put every generating sequence into each decode step, as llama-server does.
 *
 * node-llama-cpp (3.21) samples each sequence's token after a decode and, still holding the context, decodes
 * again at once with whatever sequences have queued their next token by then. The sequence sampled last has
 * not (its consumer runs a few promise hops later), so it misses the step: with four requests only ~3 sequences
 * went into each decode and four streams gave 1.5x one stream (npm run bench:serve). Worse, while that loop
 * runs, a new request that must first trim its sequence (which takes the context's lock) waits until the others
 * have finished.
 *
 * So a decode is held back until every sequence of the previous step has asked for its next one (or ended, or is
 * still working through a long prompt), and then all are queued together. New requests join at the next step.
 * Nothing is queued when a step ends, so the context's lock is free between steps and waiting trims get their turn.
 *
 * The queue is also kept in sequence-id order: llama.cpp (one KV stream per sequence) puts only consecutive
 * increasing sequence ids into one ubatch, so four sequences queued as 2,3,1,0 took three passes over the
 * weights (145 ms a step here) where 0,1,2,3 takes one (66 ms).
 *
 * This relies on node-llama-cpp internals (`_decodeTokens`, `_queuedDecodes`, `_ctx.initBatch`/`addToBatch`,
 * `_sequenceId`); without them nothing changes.
 */
import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';

type Native = Record<string | symbol, unknown>;
interface Internals {
  _decodeTokens?: (decode: { sequenceId: number; afterBatchAction?: (length: number) => unknown }, ...rest: unknown[]) => Promise<unknown>;
  _ctx?: Native;
  _queuedDecodes?: { sequenceId: number }[];
}

export interface WholeSteps {
  /** The request on this sequence is over: the next step does not wait for it. */
  end(sequence: LlamaContextSequence): void;
}

/**
 * `maxHoldMs`: a sequence busy elsewhere (a trim waiting for the lock, a slow callback) holds the others back at
 * most this long.
 */
export function batchWholeSteps(context: LlamaContext, { maxHoldMs = 50 }: { maxHoldMs?: number } = {}): WholeSteps | undefined {
  const internals = context as unknown as Internals;
  const decodeTokens = internals._decodeTokens;
  const native = internals._ctx;
  if (typeof decodeTokens !== 'function' || !Array.isArray(internals._queuedDecodes) || !['initBatch', 'addToBatch'].every((name) => typeof native?.[name] === 'function')) return undefined;

  /** Sequences of the last decode step that have not asked for their next decode yet. */
  let awaited = new Set<number>();
  let held: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const release = held;
    held = [];
    for (const queue of release) queue();
  };
  const check = () => {
    if (held.length === 0) return;
    // A sequence whose long prompt is still queued (decoded a batch at a time) asks for nothing until it is done.
    const waiting = [...awaited].some((id) => !internals._queuedDecodes?.some((queued) => queued.sequenceId === id));
    if (!waiting) flush();
    else timer ??= setTimeout(flush, maxHoldMs);
  };

  // Each decode step starts with initBatch, then adds each sequence's tokens.
  wrap(native!, 'initBatch', (initBatch) =>
    function (this: unknown, ...args: unknown[]) {
      awaited = new Set();
      return initBatch.apply(this, args);
    },
  );
  wrap(native!, 'addToBatch', (addToBatch) =>
    function (this: unknown, sequenceId: unknown, ...rest: unknown[]) {
      awaited.add(sequenceId as number);
      return addToBatch.call(this, sequenceId, ...rest);
    },
  );
  // After a step, node-llama-cpp goes on at once while anything is queued (a long prompt's next batch): one
  // event-loop turn first lets the generating sequences queue their next token and join that step. With nothing
  // queued the hook stays synchronous (node-llama-cpp awaits only a returned promise): any await would let them
  // queue before the step ends, and the lock would never be released between steps.
  const yieldWhileQueued = (after: ((length: number) => unknown) | undefined) => (length: number) => {
    const result = after?.(length);
    if (internals._queuedDecodes!.length === 0) return result;
    return (async () => {
      await result;
      await new Promise((resolve) => setImmediate(resolve));
    })();
  };
  internals._decodeTokens = function (this: unknown, decode, ...rest) {
    const withYield = { ...decode, afterBatchAction: yieldWhileQueued(decode.afterBatchAction) };
    return new Promise((resolve, reject) => {
      held.push(() => {
        void decodeTokens.call(this, withYield, ...rest).then(resolve, reject);
        // The call above queued the decode synchronously. In sequence-id order, one step is one ubatch.
        internals._queuedDecodes?.sort((a, b) => a.sequenceId - b.sequenceId);
      });
      awaited.delete(decode.sequenceId);
      check();
    });
  };
  return {
    end(sequence) {
      awaited.delete((sequence as unknown as { _sequenceId: number })._sequenceId);
      check();
    },
  };
}

type Method = (...args: unknown[]) => unknown;

/** Native methods are read-only on the prototype, so the wrapper is an own property of the instance. */
function wrap(target: Native, name: string, wrapper: (original: Method) => Method): void {
  Object.defineProperty(target, name, { value: wrapper(target[name] as Method), configurable: true, writable: true });
}
