/**
 * `devstral serve` against node-llama-cpp generating in-process, on a generated ~400M-parameter F16 model (large
 * enough that per-token compute dominates, as with the real model):
 *  - tokens/s streamed over HTTP (/v1/completions, SSE) vs in-process `sequence.evaluate`, one request at a time;
 *  - aggregate tokens/s with four requests at once (one context, four sequences) vs one at a time;
 *  - time to first token over HTTP minus in-process;
 *  - a sweep of threads x UV_THREADPOOL_SIZE in-process at concurrency 1, against the server's defaults; the server
 *    runs as users start it (bin/devstral.cjs: a one-thread libuv pool) and with libuv's default pool of 4.
 * Every in-process configuration is a child process of its own (the pool size is fixed when a process starts); all
 * stay loaded and runs are interleaved, so machine load hits every configuration alike. Greedy decoding and the
 * same prompts everywhere, so every configuration generates the same tokens. The model is cached in the temp dir.
 * Targets: HTTP >= 0.95 x in-process at concurrency 1; aggregate at concurrency 4 >= 1.8 x concurrency 1.
 * Knobs: BENCH_REPS (5), BENCH_TOKENS (128), BENCH_FRESH=1 (regenerate the model).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SseParser } from '../src/health/SseParser.ts';
import { cpuBusy, cpuSample, cpuUse, threadCount } from './bench-serve/processStats.ts';
import { f0, f1, median, pct, push, ratio, rotate, signed, table } from './bench-serve/stats.ts';
import { CONTEXT_SIZE, type Run, type Stream, type WorkerCommand, type WorkerOptions } from './bench-serve/workerProtocol.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const workerFile = fileURLToPath(new URL('./bench-serve/inProcessWorker.ts', import.meta.url));
const bin = join(root, 'bin/devstral.cjs');

// ---------------------------------------------------------------------------------------------------------------
// The parent: model, processes, interleaved runs, report.

interface Config {
  threads: number;
  /** undefined: not set, libuv's default of 4. */
  uv?: number;
  /** With src/server/engine/batchWholeSteps.ts, as the server runs. */
  wholeSteps?: boolean;
}
const configName = (c: Config) => `threads ${c.threads}, UV_THREADPOOL_SIZE ${c.uv ?? 'unset (4)'}${c.wholeSteps ? ', whole-step batching' : ''}`;
const sameConfig = (a: Config, b: Config) => a.threads === b.threads && a.uv === b.uv;

interface Target {
  label: string;
  pid: number;
  run: (prompts: string[], maxTokens: number) => Promise<Run>;
  probe?: (prompts: string[]) => Promise<string[]>;
  ceiling?: () => Promise<Record<number, number>>;
  stop: () => void;
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  const reps = Number(process.env.BENCH_REPS ?? 5);
  const maxTokens = Number(process.env.BENCH_TOKENS ?? 128);
  // The sweep only needs decode rates; half the tokens keeps it short (threads 1 is slow). Every point of the sweep,
  // the chosen configuration and the servers included, runs the same number of tokens: equal work, comparable rates.
  const sweepTokens = Math.max(16, Math.round(maxTokens / 2));
  const began = performance.now();

  const model = await generateModel();
  const cpus = availableParallelism();
  const busyBefore = await cpuBusy(1000);
  // What `devstral serve` means to run with neither --threads nor UV_THREADPOOL_SIZE (src/cli/main.ts, runServe.ts).
  const intended: Config = { threads: cpus, uv: 1 };
  const configs: Config[] = [...new Set([1, 2, cpus])].sort((a, b) => a - b).flatMap((threads) => [{ threads }, { threads, uv: 1 }]);

  console.log(`devstral serve vs node-llama-cpp in-process (node-llama-cpp ${nlcVersion()}, Node ${process.version}, ${cpus} CPUs)`);
  console.log(`model: ${model.parameterCount.toLocaleString('en-US')} parameters, F16, ${(model.bytes / 1024 ** 2).toFixed(0)} MiB, ${model.description}; ${model.note}`);
  console.log(
    `runs: greedy, ${maxTokens} tokens per request (sweep: ${sweepTokens}), ${reps} interleaved repetitions, medians; ` +
      `serve defaults: --threads ${cpus} (availableParallelism), UV_THREADPOOL_SIZE=1 set by bin/devstral.cjs\n`,
  );

  // Every process maps the same file (shared page cache); all stay loaded, only the one being measured works.
  const inProcess = new Map<Config, Target>();
  const starting: Promise<unknown>[] = configs.map((c) => startInProcess(model.path, c).then((t) => inProcess.set(c, t)));
  let server: Target | undefined;
  let serverUv4: Target | undefined;
  let wholeSteps: Target | undefined;
  starting.push(startInProcess(model.path, { ...intended, wholeSteps: true }).then((t) => (wholeSteps = t)));
  starting.push(startServer(model.path, undefined).then((t) => (server = t)));
  starting.push(startServer(model.path, '4').then((t) => (serverUv4 = t)));
  const all = () => [...inProcess.values(), ...[server, serverUv4, wholeSteps].filter((t) => t !== undefined)];
  try {
    await Promise.all(starting);
    if (!server || !serverUv4 || !wholeSteps) throw new Error('a server or worker did not start');
    const reference = inProcess.get(configs.find((c) => sameConfig(c, intended))!)!;
    const threadCounts = [threadCount(server.pid), threadCount(serverUv4.pid)];

    // Warm-up: page the weights in, create the contexts.
    for (const t of all()) await t.run(['warm up'], 8);
    for (const t of [reference, wholeSteps, server, serverUv4]) await t.run([0, 1, 2, 3].map((i) => `warm up ${i}`), 8);
    // Prompts differ from the first character, so the server cannot reuse a previous request's prefix. The random
    // model often starts with a byte that is not a whole UTF-8 character, which the server rightly holds back; only
    // prompts whose first generated token is whole text are used, so the first SSE event is the first token.
    const pool = await pickPrompts(reference, reps * 5);

    const c1 = new Map<Target, Run[]>();
    const c4 = new Map<Target, Run[]>();
    const sw = new Map<Target, Run[]>();
    const sweep = [...inProcess.values()].filter((t) => t !== reference);
    const cpuBefore = cpuSample(all().map((t) => t.pid));
    for (let rep = 0; rep < reps; rep++) {
      const p1 = pool.shift()!;
      // Rotate the order each repetition so drift in machine load does not favour one position.
      for (const t of rotate([reference, server, serverUv4], rep)) push(c1, t, await t.run([p1], maxTokens));
      for (const t of rotate([reference, server, serverUv4, ...sweep], rep)) push(sw, t, await t.run([p1], sweepTokens));
      const p4 = pool.splice(0, 4);
      for (const t of rotate([reference, wholeSteps, server, serverUv4], rep)) push(c4, t, await t.run(p4, maxTokens));
      process.stderr.write(`repetition ${rep + 1}/${reps} done (${((performance.now() - began) / 1000).toFixed(0)} s)\n`);
    }
    const cpu = cpuUse(cpuBefore, cpuSample(all().map((t) => t.pid)));
    const ceiling = await reference.ceiling!();

    report({ reference, wholeSteps, server, serverUv4, c1, c4, sw, inProcess, configs, intended, ceiling, threadCounts, sweepTokens });
    const truncated = [...c1.values(), ...c4.values(), ...sw.values()].flat().flatMap((r) => r.streams).filter((s) => s.tokens < sweepTokens).length;
    if (truncated) console.log(`\nnote: ${truncated} stream(s) ended early (end of sequence); rates are per token generated`);
    console.log(
      `\ntotal ${((performance.now() - began) / 1000).toFixed(0)} s; CPU busy before the runs ${pct(busyBefore)}; ` +
        `during the runs other processes used ${pct(cpu.others)} of the CPU (ours ${pct(cpu.ours)})`,
    );
    if (busyBefore > 0.1 || cpu.others > 0.05) {
      console.log('warning: other processes competed for the CPU; on a 2-core machine that skews 2-thread runs badly: rerun on an idle machine');
    }
  } finally {
    for (const t of all()) t.stop();
  }
}

function report(r: {
  reference: Target;
  wholeSteps: Target;
  server: Target;
  serverUv4: Target;
  c1: Map<Target, Run[]>;
  c4: Map<Target, Run[]>;
  /** The sweep: every point at sweepTokens. */
  sw: Map<Target, Run[]>;
  sweepTokens: number;
  inProcess: Map<Config, Target>;
  configs: Config[];
  intended: Config;
  ceiling: Record<number, number>;
  threadCounts: number[];
}): void {
  /** Decode rate of a single stream: tokens after the first over the time after the first. */
  const decode = (run: Run) => (run.streams[0]!.tokens - 1) / ((run.streams[0]!.endMs - run.streams[0]!.firstMs) / 1000);
  /** Everything the clients received over the wall time, prompt evaluation included. */
  const aggregate = (run: Run) => run.streams.reduce((n, s) => n + s.tokens, 0) / (run.wallMs / 1000);
  const ttft = (run: Run) => median(run.streams.map((s) => s.firstMs));
  const perDecode = (run: Run) => (run.sequencesDecoded ?? NaN) / (run.decodes ?? NaN);
  const m = (runs: Run[], f: (run: Run) => number) => median(runs.map(f));
  const spread = (runs: Run[], f: (run: Run) => number) => `${f1(Math.min(...runs.map(f)))}-${f1(Math.max(...runs.map(f)))}`;
  const ref1 = r.c1.get(r.reference)!;
  const ref4 = r.c4.get(r.reference)!;
  const whole4 = r.c4.get(r.wholeSteps)!;
  const [srv1, srv4] = [r.c1.get(r.server)!, r.c4.get(r.server)!];
  const [pool4c1, pool4c4] = [r.c1.get(r.serverUv4)!, r.c4.get(r.serverUv4)!];
  const scale = (four: Run[], one: Run[]) => m(four, aggregate) / m(one, aggregate);
  const refName = `in-process, ${configName(r.intended)}`;
  const uvName = 'HTTP, UV_THREADPOOL_SIZE=4 (libuv default)';

  table([
    ['concurrency 1', 'decode tok/s', '(min-max)', 'vs in-process', 'end-to-end tok/s', 'first token ms', 'TTFT overhead'],
    [refName, f1(m(ref1, decode)), spread(ref1, decode), '', f1(m(ref1, aggregate)), f0(m(ref1, ttft)), ''],
    ['HTTP, devstral serve defaults', f1(m(srv1, decode)), spread(srv1, decode), ratio(m(srv1, decode), m(ref1, decode)), f1(m(srv1, aggregate)), f0(m(srv1, ttft)), `${signed(m(srv1, ttft) - m(ref1, ttft))} ms`],
    [uvName, f1(m(pool4c1, decode)), spread(pool4c1, decode), ratio(m(pool4c1, decode), m(ref1, decode)), f1(m(pool4c1, aggregate)), f0(m(pool4c1, ttft)), `${signed(m(pool4c1, ttft) - m(ref1, ttft))} ms`],
  ]);
  console.log('');
  table([
    ['concurrency 4 (--parallel 4)', 'aggregate tok/s', '(min-max)', 'vs in-process', 'c=4 / c=1', 'first token ms', 'sequences/decode'],
    ['in-process, one context, 4 sequences', f1(m(ref4, aggregate)), spread(ref4, aggregate), '', `${scale(ref4, ref1).toFixed(2)}x`, f0(m(ref4, ttft)), Number.isNaN(perDecode(ref4[0]!)) ? '' : f1(m(ref4, perDecode))],
    ['in-process, + whole-step batching (as serve)', f1(m(whole4, aggregate)), spread(whole4, aggregate), ratio(m(whole4, aggregate), m(ref4, aggregate)), `${scale(whole4, ref1).toFixed(2)}x`, f0(m(whole4, ttft)), Number.isNaN(perDecode(whole4[0]!)) ? '' : f1(m(whole4, perDecode))],
    ['HTTP, devstral serve defaults', f1(m(srv4, aggregate)), spread(srv4, aggregate), ratio(m(srv4, aggregate), m(ref4, aggregate)), `${scale(srv4, srv1).toFixed(2)}x`, f0(m(srv4, ttft)), ''],
    [uvName, f1(m(pool4c4, aggregate)), spread(pool4c4, aggregate), ratio(m(pool4c4, aggregate), m(ref4, aggregate)), `${scale(pool4c4, pool4c1).toFixed(2)}x`, f0(m(pool4c4, ttft)), ''],
  ]);
  const [one, four] = [r.ceiling[1]!, r.ceiling[4]!];
  console.log(`llama.cpp alone, one decode step: 1 sequence ${f1(one)} ms, 4 sequences batched ${f1(four)} ms -> c=4 could reach ${((4 * one) / four).toFixed(2)}x c=1 if every step batched all four`);

  const httpRatio = m(srv1, decode) / m(ref1, decode);
  const scaleHttp = scale(srv4, srv1);
  console.log('');
  console.log(`HTTP / in-process at concurrency 1 (decode tok/s):  ${httpRatio.toFixed(2)}   target >= 0.95: ${httpRatio >= 0.95 ? 'met' : 'NOT met'}`);
  console.log(`HTTP aggregate c=4 / c=1 (end-to-end tok/s):        ${scaleHttp.toFixed(2)}x  target >= 1.8x: ${scaleHttp >= 1.8 ? 'met' : 'NOT met'}`);
  console.log(`time to first token, HTTP - in-process:             ${signed(m(srv1, ttft) - m(ref1, ttft))} ms at c=1, ${signed(m(srv4, ttft) - m(ref4, ttft))} ms at c=4 (four requests arriving together)`);

  console.log('');
  const rows = r.configs.map((c) => ({ name: `in-process, ${configName(c)}`, runs: r.sw.get(r.inProcess.get(c)!)!, intended: sameConfig(c, r.intended) }));
  const [sw1, swUv4] = [r.sw.get(r.server)!, r.sw.get(r.serverUv4)!];
  const ranked = [...rows].sort((a, b) => m(b.runs, decode) - m(a.runs, decode));
  const best = m(ranked[0]!.runs, decode);
  table([
    [`sweep, concurrency 1, ${r.sweepTokens} tokens each`, 'decode tok/s', '(min-max)', 'vs fastest', ''],
    ...rows.map((x) => [x.name, f1(m(x.runs, decode)), spread(x.runs, decode), ratio(m(x.runs, decode), best), x.intended ? '<- what serve means to use' : '']),
    ['HTTP, devstral serve defaults', f1(m(sw1, decode)), spread(sw1, decode), ratio(m(sw1, decode), best), '<- what serve runs'],
    [uvName, f1(m(swUv4, decode)), spread(swUv4, decode), ratio(m(swUv4, decode), best), ''],
  ]);
  const fastest = ranked[0]!;
  const intendedRuns = rows.find((x) => x.intended)!.runs;
  if (fastest.intended) console.log(`fastest in-process: ${configName(r.intended)}, the setting serve means to use`);
  else {
    const overlap = Math.max(...intendedRuns.map(decode)) >= best;
    console.log(
      `fastest in-process: ${fastest.name.replace('in-process, ', '')}, ${((best / m(intendedRuns, decode) - 1) * 100).toFixed(0)}% above ${configName(r.intended)}` +
        (overlap ? ' (within the run-to-run spread)' : ''),
    );
  }
  const [defaultThreads, uv4Threads] = r.threadCounts;
  if (defaultThreads && uv4Threads) {
    console.log(
      uv4Threads - defaultThreads === 3
        ? `serve's libuv pool: one thread by default (${defaultThreads} threads in all, ${uv4Threads} with UV_THREADPOOL_SIZE=4)`
        : `warning: serve's libuv pool is not one thread: ${defaultThreads} threads by default, ${uv4Threads} with UV_THREADPOOL_SIZE=4`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function startInProcess(modelPath: string, config: Config): Promise<Target> {
  const env = { ...process.env };
  if (config.uv === undefined) delete env.UV_THREADPOOL_SIZE;
  else env.UV_THREADPOOL_SIZE = String(config.uv);
  // The same loader tsx gave this process (process.execArgv), running the worker.
  const child = spawn(process.execPath, [...process.execArgv, workerFile, JSON.stringify({ modelPath, threads: config.threads, wholeSteps: config.wholeSteps } satisfies WorkerOptions)], { env, stdio: ['pipe', 'pipe', 'inherit'], cwd: root });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`in-process worker (${configName(config)}) exited with ${child.exitCode}`);
    return JSON.parse(line.value) as unknown;
  };
  await next();
  const ask = async (command: WorkerCommand) => {
    child.stdin!.write(`${JSON.stringify(command)}\n`);
    return next();
  };
  return {
    label: `in-process ${configName(config)}`,
    pid: child.pid!,
    run: async (prompts, maxTokens) => (await ask({ kind: 'run', prompts, maxTokens })) as Run,
    probe: async (prompts) => ((await ask({ kind: 'probe', prompts })) as { texts: string[] }).texts,
    ceiling: async () => (await ask({ kind: 'ceiling' })) as Record<number, number>,
    stop: () => stopChild(child),
  };
}

/** `devstral serve --parallel 4` with its default threads; uvThreadpoolSize undefined = the variable not set, as users run it. */
async function startServer(modelPath: string, uvThreadpoolSize: string | undefined): Promise<Target> {
  const port = await freePort();
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  if (uvThreadpoolSize) env.UV_THREADPOOL_SIZE = uvThreadpoolSize;
  const child = spawn(process.execPath, [bin, 'serve', '--model', modelPath, '--port', String(port), '--parallel', '4'], { env, stdio: ['ignore', 'ignore', 'pipe'], cwd: root });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`devstral serve exited with ${child.exitCode}:\n${stderr}`);
    if (waited > 120_000) throw new Error(`devstral serve did not become healthy in 120 s:\n${stderr}`);
    const ok = await fetch(`${base}/health`).then((res) => res.status === 200, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const models = (await (await fetch(`${base}/v1/models`)).json()) as { data: { id: string }[] };
  const served = models.data[0]!.id;
  return {
    label: `HTTP${uvThreadpoolSize ? ` UV_THREADPOOL_SIZE=${uvThreadpoolSize}` : ''}`,
    pid: child.pid!,
    run: async (prompts, maxTokens) => {
      const start = performance.now();
      const streams = await Promise.all(prompts.map((p) => streamCompletion(base, served, p, maxTokens, start)));
      return { streams, wallMs: performance.now() - start };
    },
    stop: () => stopChild(child),
  };
}

async function pickPrompts(worker: Target, count: number): Promise<string[]> {
  const picked: string[] = [];
  for (let n = 0; picked.length < count; ) {
    if (n > count * 10) throw new Error('too few prompts start with a whole character');
    const batch = Array.from({ length: 8 }, () => `${String.fromCharCode(65 + (n % 26))}${n++}: The quick brown fox jumps over the lazy dog.`);
    const texts = await worker.probe!(batch);
    batch.forEach((p, i) => texts[i] && !texts[i]!.includes('\uFFFD') && picked.push(p));
  }
  return picked.slice(0, count);
}

/** One streamed /v1/completions request; times are from `start`. Tokens come from the usage chunk. */
async function streamCompletion(base: string, model: string, prompt: string, maxTokens: number, start: number): Promise<Stream> {
  const res = await fetch(`${base}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, prompt, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } }),
  });
  if (!res.ok || !res.body) throw new Error(`POST /v1/completions: ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  const sse = new SseParser();
  let firstMs: number | undefined;
  let tokens: number | undefined;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (const event of sse.push(decoder.decode(chunk, { stream: true }))) {
      if (event.kind !== 'data' || event.data === '[DONE]') continue;
      const data = JSON.parse(event.data) as { choices?: { text?: string }[]; usage?: { completion_tokens: number }; error?: unknown };
      if (data.error) throw new Error(`stream error: ${JSON.stringify(data.error)}`);
      if (firstMs === undefined && data.choices?.[0]?.text) firstMs = performance.now() - start;
      if (data.usage) tokens = data.usage.completion_tokens;
    }
  }
  if (tokens === undefined || firstMs === undefined) throw new Error('the stream ended without text or usage');
  return { firstMs, endMs: performance.now() - start, tokens };
}

/** ~400M parameters: 1024 wide, 24 layers, FF 4096, 16 heads; cached in the temp dir by its options. */
async function generateModel(): Promise<{ path: string; parameterCount: number; bytes: number; description: string; note: string }> {
  const options = { embeddingLength: 1024, blockCount: 24, headCount: 16, headCountKv: 16, feedForwardLength: 4096, contextLength: CONTEXT_SIZE, tensorType: 'F16' as const, seed: 400, name: 'bench-serve-400m' };
  const description = `${options.embeddingLength} wide, ${options.blockCount} layers, FF ${options.feedForwardLength}, ${options.headCount} heads`;
  const dir = join(tmpdir(), 'devstral-bench-serve');
  const key = `${options.embeddingLength}x${options.blockCount}-ff${options.feedForwardLength}-h${options.headCount}-kv${options.headCountKv}-s${options.seed}`;
  const path = join(dir, `model-${key}.gguf`);
  const meta = `${path}.json`;
  if (process.env.BENCH_FRESH !== '1' && existsSync(path) && existsSync(meta)) {
    const saved = JSON.parse(readFileSync(meta, 'utf8')) as { parameterCount: number; bytes: number };
    if (statSync(path).size === saved.bytes) return { path, ...saved, description, note: `reused from ${path} (BENCH_FRESH=1 regenerates)` };
  }
  mkdirSync(dir, { recursive: true });
  const { writeTinyGguf } = await import('../test/support/writeTinyGguf.ts');
  const started = performance.now();
  const tiny = await writeTinyGguf(`${path}.partial`, options);
  renameSync(`${path}.partial`, path);
  const saved = { parameterCount: tiny.summary.parameterCount, bytes: tiny.bytes.length };
  writeFileSync(meta, JSON.stringify(saved));
  return { path, ...saved, description, note: `generated in ${((performance.now() - started) / 1000).toFixed(0)} s into ${path}` };
}

function nlcVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules/node-llama-cpp/package.json'), 'utf8')) as { version: string }).version;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

await main();
