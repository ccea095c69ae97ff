/**
 * Whole-step batching on real node-llama-cpp (a tiny generated GGUF): every active sequence in each decode
 * step, in sequence-id order, and a request that must trim its sequence is not starved by the others.
 * The hold limit is set far above any test's run time, so what is asserted follows from the logic alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LlamaCompletion, TokenBias, type LlamaContext, type LlamaContextSequence, type LlamaModel } from 'node-llama-cpp';
import { batchWholeSteps, type WholeSteps } from '../../src/server/engine/batchWholeSteps.ts';
import { loadTinyModel, type TinyModel } from '../support/loadTinyModel.ts';

let model: LlamaModel;
let tiny: TinyModel;

before(async () => {
  tiny = await loadTinyModel();
  model = tiny.model;
});

after(() => tiny?.dispose());

/** A context of four sequences with whole steps, recording the sequence ids (and token counts) of every decode step. */
async function setUp(batchSize?: number): Promise<{ context: LlamaContext; sequences: LlamaContextSequence[]; steps: WholeSteps; log: number[][]; sizes: number[][] }> {
  const context = await model.createContext({ contextSize: 512, sequences: 4, threads: 1, ...(batchSize ? { batchSize } : {}) });
  const steps = batchWholeSteps(context, { maxHoldMs: 600_000 });
  assert.ok(steps, 'the node-llama-cpp internals it relies on are there');
  const log: number[][] = [];
  const sizes: number[][] = [];
  const native = (context as unknown as { _ctx: Record<string, (...args: unknown[]) => unknown> })._ctx;
  for (const [name, record] of [
    ['initBatch', () => (log.push([]), sizes.push([]))],
    ['addToBatch', (sequenceId: unknown, tokens: unknown) => (log.at(-1)!.push(sequenceId as number), sizes.at(-1)!.push((tokens as Uint32Array).length))],
  ] as const) {
    const original = native[name]!;
    Object.defineProperty(native, name, {
      value(this: unknown, ...args: unknown[]) {
        record(args[0], args[2]);
        return original.apply(this, args);
      },
      configurable: true,
    });
  }
  return { context, sequences: Array.from({ length: 4 }, () => context.getSequence()), steps, log, sizes };
}

/** Greedy generation of exactly `count` tokens (end of sequence forbidden); returns when it ended, as a step index. */
async function generate(sequence: LlamaContextSequence, prompt: string, count: number, steps: WholeSteps, log: number[][]): Promise<number> {
  const tokenBias = new TokenBias(model.tokenizer).set(model.tokens.eos!, 'never');
  let n = 0;
  for await (const _token of sequence.evaluate([model.tokens.bos!, ...model.tokenize(prompt)], { temperature: 0, tokenBias })) {
    if (++n >= count) break;
  }
  steps.end(sequence);
  return log.length;
}

describe('batchWholeSteps', () => {
  it('puts every generating sequence into each decode step, in sequence-id order', async () => {
    const { context, sequences, steps, log } = await setUp();
    try {
      // Started in reverse order and with different lengths, so neither arrival order nor ends line them up.
      const ends = await Promise.all([...sequences].reverse().map((s, i) => generate(s, `prompt ${i}`, 12 + 4 * i, steps, log)));
      const firstEnd = Math.min(...ends);
      for (const [i, step] of log.entries()) {
        assert.deepEqual(step, [...step].sort((a, b) => a - b), `step ${i} is in sequence-id order: ${step}`);
        if (i < firstEnd - 1) assert.equal(new Set(step).size, 4, `step ${i} has all four sequences while all four generate: ${step}`);
      }
      // The longest stream generated 24 tokens: one step per token (the prompt step makes the first).
      assert.equal(log.length, 24, `decode steps: ${log.map((s) => s.join(',')).join(' | ')}`);
    } finally {
      await context.dispose();
    }
  });

  it('keeps generating sequences in every step while a long prompt is decoded a batch at a time', async () => {
    const { context, sequences, steps, log, sizes } = await setUp(32);
    try {
      const [a, b, c, late] = sequences as [LlamaContextSequence, LlamaContextSequence, LlamaContextSequence, LlamaContextSequence];
      const running = [a, b, c].map((s, i) => generate(s, `short ${i}`, 40, steps, log));
      while (log.length < 3) await new Promise((resolve) => setImmediate(resolve));
      const longPrompt = 'a long prompt that needs many batches '.repeat(8);
      const joined = generate(late, longPrompt, 2, steps, log);
      const firstEnd = Math.min(...(await Promise.all(running)));
      await joined;
      const promptSteps = log.map((ids, i) => ({ ids, i, prompt: sizes[i]![ids.indexOf(3)] ?? 0 })).filter((step) => step.prompt > 1 && step.i < firstEnd - 1);
      assert.ok(promptSteps.length >= 3, `the prompt took several steps: ${promptSteps.length}`);
      for (const step of promptSteps) assert.deepEqual(step.ids, [0, 1, 2, 3], `step ${step.i} decodes prompt tokens and the three others: ${step.ids}`);
    } finally {
      await context.dispose();
    }
  });

  it('releases the lock between steps: a completion that must trim its sequence joins while three others generate', async () => {
    const { context, sequences, steps, log } = await setUp();
    try {
      const tokenBias = new TokenBias(model.tokenizer).set(model.tokens.eos!, 'never');
      const complete = async (sequence: LlamaContextSequence, prompt: string, maxTokens: number) => {
        const completion = new LlamaCompletion({ contextSequence: sequence });
        await completion.generateCompletion(prompt, { temperature: 0, maxTokens, tokenBias });
        completion.dispose({ disposeSequence: false });
        steps.end(sequence);
        return log.length;
      };
      const [first, ...others] = sequences as [LlamaContextSequence, ...LlamaContextSequence[]];
      await complete(first, 'an earlier conversation', 4);
      const running = others.map((s, i) => complete(s, `long ${i}`, 60));
      while (log.length < 3) await new Promise((resolve) => setImmediate(resolve));
      // A different prompt on the same sequence: LlamaCompletion erases its old tokens under the context's lock.
      const joined = await complete(first, 'a new conversation', 4);
      const othersEnded = Math.min(...(await Promise.all(running)));
      assert.ok(joined < othersEnded, `the late request ended at step ${joined}, before the others (${othersEnded})`);
    } finally {
      await context.dispose();
    }
  });

  it('lets a request that must trim its sequence join while the others generate', async () => {
    const { context, sequences, steps, log } = await setUp();
    try {
      const [first, ...others] = sequences as [LlamaContextSequence, ...LlamaContextSequence[]];
      await generate(first, 'an earlier conversation', 4, steps, log);
      const running = others.map((s, i) => generate(s, `long ${i}`, 40, steps, log));
      // A new conversation: the sequence's evaluated tokens are erased first, under the context's lock.
      await first.clearHistory();
      const joined = await generate(first, 'a new conversation', 4, steps, log);
      const othersEnded = Math.min(...(await Promise.all(running)));
      assert.ok(joined < othersEnded, `the late request ended at step ${joined}, before the others (${othersEnded})`);
    } finally {
      await context.dispose();
    }
  });
});
