/**
 * The in-process reference of bench-serve.ts: node-llama-cpp directly, greedy `sequence.evaluate`, one context per
 * concurrency level. Run as a child process (the libuv pool size is fixed when a process starts): its options as the
 * first argument, then commands on stdin, answers on stdout, a JSON line each.
 */
import { createInterface } from 'node:readline';
import type { LlamaContextSequence } from 'node-llama-cpp';
import { batchWholeSteps, type WholeSteps } from '../../src/server/engine/batchWholeSteps.ts';
import { median } from './stats.ts';
import { CONTEXT_SIZE, type Run, type Stream, type WorkerCommand, type WorkerOptions } from './workerProtocol.ts';

async function inProcessWorker(options: WorkerOptions): Promise<void> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: options.threads, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: options.modelPath });
  const bos = model.tokens.bos!;
  const pools = new Map<number, LlamaContextSequence[]>();
  const counts = { decodes: 0, sequences: 0 };
  let steps: WholeSteps | undefined;
  const sequencesFor = async (n: number) => {
    let sequences = pools.get(n);
    if (!sequences) {
      const context = await model.createContext({ contextSize: CONTEXT_SIZE, sequences: n, threads: options.threads });
      steps = options.wholeSteps ? batchWholeSteps(context) : undefined;
      countDecodes(context, counts);
      sequences = Array.from({ length: n }, () => context.getSequence());
      pools.set(n, sequences);
    }
    return sequences;
  };
  const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
  send({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line) as WorkerCommand;
    if (command.kind === 'probe') {
      const [sequence] = await sequencesFor(1);
      const texts: string[] = [];
      for (const p of command.prompts) {
        await sequence!.clearHistory();
        for await (const token of sequence!.evaluate([bos, ...model.tokenize(p)], { temperature: 0 })) {
          texts.push(model.detokenize([token]));
          break;
        }
      }
      send({ texts });
    } else if (command.kind === 'ceiling') {
      const sequences = await sequencesFor(4);
      const prefix = [bos, ...model.tokenize('The quick brown fox jumps over the lazy dog.')];
      const ms: Record<number, number> = {};
      for (const k of [1, 4]) {
        const times: number[] = [];
        for (let r = 0; r < 5; r++) {
          await Promise.all(sequences.map((s) => s.clearHistory()));
          await Promise.all(sequences.slice(0, k).map((s) => s.evaluateWithoutGeneratingNewTokens(prefix.slice(0, -1))));
          const start = performance.now();
          await Promise.all(sequences.slice(0, k).map((s) => s.evaluateWithoutGeneratingNewTokens(prefix.slice(-1))));
          times.push(performance.now() - start);
        }
        ms[k] = median(times);
      }
      send(ms);
    } else {
      const sequences = await sequencesFor(command.prompts.length);
      await Promise.all(sequences.map((s) => s.clearHistory()));
      const prompts = command.prompts.map((p) => [bos, ...model.tokenize(p)]);
      [counts.decodes, counts.sequences] = [0, 0];
      const start = performance.now();
      const streams = await Promise.all(
        prompts.map(async (prompt, i): Promise<Stream> => {
          let firstMs = 0;
          let tokens = 0;
          for await (const _token of sequences[i]!.evaluate(prompt, { temperature: 0 })) {
            if (tokens === 0) firstMs = performance.now() - start;
            if (++tokens >= command.maxTokens) break;
          }
          steps?.end(sequences[i]!);
          return { firstMs, endMs: performance.now() - start, tokens };
        }),
      );
      send({ streams, wallMs: performance.now() - start, decodes: counts.decodes, sequencesDecoded: counts.sequences } satisfies Run);
    }
  }
  process.exit(0);
}

/**
 * Diagnostics through node-llama-cpp internals (3.21.1): count llama_decode calls and the sequences added to each,
 * to show how well concurrent sequences are batched. Skipped silently if the internals differ.
 */
function countDecodes(context: object, counts: { decodes: number; sequences: number }): void {
  const holder = context as { _ctx?: Record<string | symbol, unknown> };
  const native = holder._ctx;
  if (!native || typeof native.addToBatch !== 'function' || typeof native.decodeBatch !== 'function') return;
  holder._ctx = new Proxy(native, {
    get(target, key) {
      const value = target[key];
      if (typeof value !== 'function') return value;
      if (key === 'addToBatch') return (...args: unknown[]) => (counts.sequences++, value.apply(target, args));
      if (key === 'decodeBatch') return (...args: unknown[]) => (counts.decodes++, value.apply(target, args));
      return value.bind(target);
    },
  });
}

await inProcessWorker(JSON.parse(process.argv[2]!) as WorkerOptions);
