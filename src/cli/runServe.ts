/** `devstral serve`: load the model in this process and answer OpenAI-compatible requests until SIGTERM/SIGINT. */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { DevstralError } from '../errors.js';
import { summarizeGguf } from '../gguf/summarizeGguf.js';
import { checkModelFile } from './checkModelFile.js';
import { clientHost, hostPort } from '../runtimes/hostPort.js';
import { registerStandalone } from '../supervise/registerStandalone.js';
import { Engine } from '../server/engine/engine.js';
import { createHttpServer, type ServeState } from '../server/http/httpServer.js';
import type { CommandArgs } from './commandSpec.js';
import { parseGuardOptions, parsePositiveInt, parseServeOptions, parseTokens } from './parseOptions.js';
import { resolveServeModel } from './resolveServeModel.js';

const log = (line: string) => process.stderr.write(`devstral serve: ${line}\n`);

function parseGpu(value: unknown): 'auto' | 'cuda' | 'metal' | 'vulkan' | false {
  const v = String(value ?? 'auto').toLowerCase();
  if (v === 'none' || v === 'cpu' || v === 'false') return false;
  if (v === 'auto' || v === 'cuda' || v === 'metal' || v === 'vulkan') return v;
  throw new DevstralError('usage', `--gpu ${String(value)}: unknown backend`, { hint: 'use auto, cuda, metal, vulkan or none' });
}

function parseGpuLayers(value: unknown): number | 'max' | 'auto' | undefined {
  if (value === undefined) return undefined;
  const v = String(value).toLowerCase();
  if (v === 'max' || v === 'auto') return v;
  if (/^\d+$/.test(v)) return Number(v);
  throw new DevstralError('usage', `--gpu-layers ${String(value)}: expected a number, max or auto`);
}

export async function runServe(args: CommandArgs): Promise<void> {
  const serve = parseServeOptions({ ...args, apiKey: args.apiKey ?? (process.env.DEVSTRAL_API_KEY || undefined) });
  const port = serve.port ?? 8000;
  const parallel = parsePositiveInt('parallel', args.parallel, 64) ?? 1;
  const threads = parsePositiveInt('threads', args.threads, 1024) ?? availableParallelism();
  const gpu = parseGpu(args.gpu);
  const kv = args.kvCacheType === undefined ? undefined : String(args.kvCacheType).toLowerCase();
  if (kv !== undefined && kv !== 'f16' && kv !== 'q8_0') throw new DevstralError('usage', `--kv-cache-type ${kv}: use f16 or q8_0`);
  const ctxArg = parseTokens('ctx', args.ctx);
  const maxTokensDefault = parseTokens('max-tokens-default', args.maxTokensDefault);
  const layersArg = parseGpuLayers(args.gpuLayers);

  const model = await resolveServeModel(args, log);
  const plan = model.plan;
  // The file is checked before a port opens: a partial download is said as such, not as llama.cpp's failure.
  const { header } = await checkModelFile(model.path);
  const trained = summarizeGguf(header).contextLength;
  if (ctxArg !== undefined && trained !== undefined && ctxArg > trained) {
    throw new DevstralError('usage', `--ctx ${ctxArg} is past the ${trained} tokens ${basename(model.path)} was trained for`, {
      hint: `use --ctx ${trained} or less (node-llama-cpp has no RoPE/YaRN scaling to go further; llama-server --rope-scaling yarn or vLLM rope_scaling can)`,
    });
  }
  const servedModel = serve.servedModelName ?? model.name;
  const state: ServeState = { servedModel };
  const server = createHttpServer({ state, guard: parseGuardOptions(args, serve.host), ...(serve.apiKey ? { apiKey: serve.apiKey } : {}), log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new DevstralError('server', `port ${port} on ${serve.host} is in use`, { hint: 'choose another --port' }) : error),
    );
    server.listen(port, serve.host, resolve);
  });
  log(`listening on http://${serve.host}:${port} (GET /health answers 503 until the model is loaded)`);

  let shuttingDown = false;
  let engine: Engine | undefined;
  let unregister: (() => Promise<void>) | undefined;
  const shutdown = async (reason: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${reason}: stopping`);
    server.close();
    server.closeAllConnections();
    await unregister?.();
    await engine?.dispose().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  unregister = await registerStandalone({
    runtime: 'llamacpp',
    host: serve.host,
    port,
    baseUrl: `http://${hostPort(clientHost(serve.host), port)}/v1`,
    model: model.path,
    servedModel,
    ...(serve.apiKey ? { apiKey: serve.apiKey } : {}),
    onParentGone: () => void shutdown('the process that started it exited'),
  }).catch(async (error: unknown) => {
    server.close();
    throw error;
  });

  const contextSize = ctxArg ?? plan?.contextLength;
  const gpuLayers = layersArg ?? (plan?.gpuLayers === undefined || plan.gpuLayers === null ? undefined : plan.gpuLayers >= plan.layers ? 'max' : plan.gpuLayers);
  const kvCacheType = kv === 'q8_0' || (kv === undefined && plan?.kvCacheType === 'q8_0') ? 'q8_0' : undefined;
  log(`loading ${model.path}`);
  engine = await Engine.load({
    modelPath: model.path,
    ...(contextSize ? { contextSize } : {}),
    parallel,
    threads,
    gpu: gpu === 'auto' && plan?.device === 'cpu' ? false : gpu,
    ...(gpuLayers !== undefined ? { gpuLayers } : {}),
    ...(kvCacheType ? { kvCacheType } : {}),
    defaultTemperature: model.temperature ?? 0.15,
    ...(model.minP !== undefined ? { minP: model.minP } : {}),
    ...(maxTokensDefault ? { maxTokensDefault } : {}),
    log,
  }).catch((error: unknown) => {
    const message = (error as Error).message;
    if (gpu && gpu !== 'auto' && /NoBinaryFound|not compatible with the current system/i.test(message)) {
      throw new DevstralError('usage', `--gpu ${gpu}: node-llama-cpp's ${gpu} build does not run on this machine (no ${gpu === 'metal' ? 'Apple GPU' : gpu === 'cuda' ? 'NVIDIA GPU or CUDA driver' : 'Vulkan driver'} it can use)`, {
        hint: '--gpu auto picks the backend that works here (see `devstral detect`), --gpu none runs on the CPU',
        cause: error,
      });
    }
    const memory = /memory|alloc|VRAM|OOM/i.test(message);
    throw new DevstralError('server', `cannot load ${model.path}: ${message}`, {
      hint: memory ? 'not enough memory: lower --ctx, --parallel or --gpu-layers, or use a smaller quantization' : 'see the llama.cpp lines above; the file may not be a model llama.cpp supports',
      cause: error,
    });
  });
  if (shuttingDown) return;
  state.backend = engine;
  const wanted = gpu === 'auto' ? plan?.device : gpu || 'cpu';
  if (wanted && wanted !== 'cpu' && engine.backend !== wanted) {
    log(`warning: ${wanted} was expected but node-llama-cpp runs on ${engine.backend}: generation will be much slower (check the GPU driver and CUDA runtime)`);
  }
  log(`ready: model "${servedModel}", ${engine.contextLength} tokens x ${parallel} parallel, backend ${engine.backend}, ${threads} threads`);
}
