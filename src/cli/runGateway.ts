/**
 * `devstral gateway`: Anthropic Messages and OpenAI Responses in front of another server's Chat Completions, with
 * the same protocol code as `devstral serve`. With a command after `--` (what `up` does for vLLM and Ollama), that
 * server runs as our child in our process group: it stops when we stop, and we exit when it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { DevstralError } from '../errors.js';
import { clientHost, hostPort } from '../runtimes/hostPort.js';
import { sleep } from '../sleep.js';
import { registerStandalone } from '../supervise/registerStandalone.js';
import { UpstreamBackend } from '../server/gateway/upstreamBackend.js';
import { createHttpServer, type ServeState } from '../server/http/httpServer.js';
import type { CommandArgs } from './commandSpec.js';
import { parseGuardOptions, parseServeOptions, parseTokens } from './parseOptions.js';

const log = (line: string) => process.stderr.write(`devstral gateway: ${line}\n`);

export async function runGateway(args: CommandArgs): Promise<void> {
  const serve = parseServeOptions({ ...args, apiKey: args.apiKey ?? (process.env.DEVSTRAL_API_KEY || undefined) });
  const upstream = parseUpstream(args.upstream);
  const upstreamKey = (args.upstreamKey as string | undefined) ?? (process.env.DEVSTRAL_UPSTREAM_KEY || serve.apiKey);
  const ctx = parseTokens('ctx', args.ctx);
  const maxTokensDefault = parseTokens('max-tokens-default', args.maxTokensDefault);
  const port = serve.port ?? 8000;
  const command = args.passthrough as string[] | undefined;

  let child: ChildProcess | undefined;
  if (command?.length) {
    // Same process group: `devstral down` and Ctrl-C stop both; its output goes where ours goes (the log).
    child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', (error) => {
      log(`cannot start ${command[0]}: ${error.message}`);
      process.exit(127);
    });
    child.once('exit', (code, signal) => {
      log(`${command[0]} exited (${signal ?? `exit code ${code}`}); stopping`);
      process.exit(code ?? 1);
    });
  }
  const servedModel = serve.servedModelName ?? (args.upstreamModel as string | undefined);
  const state: ServeState = { servedModel: servedModel ?? '' };
  const server = createHttpServer({ state, guard: parseGuardOptions(args, serve.host), ...(serve.apiKey ? { apiKey: serve.apiKey } : {}), log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new DevstralError('server', `port ${port} on ${serve.host} is in use`, { hint: 'choose another --port' }) : error));
    server.listen(port, serve.host, resolve);
  });
  log(`listening on http://${serve.host}:${port}, in front of ${upstream} (GET /health answers 503 until it answers)`);
  let unregister: (() => Promise<void>) | undefined;
  const stop = async (signal: NodeJS.Signals, reason: string = signal) => {
    log(`${reason}: stopping`);
    server.close();
    server.closeAllConnections();
    await unregister?.();
    if (child && child.exitCode === null) child.kill(signal);
    else process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => void stop('SIGTERM', 'SIGHUP'));
  unregister = await registerStandalone({
    runtime: 'gateway',
    host: serve.host,
    port,
    baseUrl: `http://${hostPort(clientHost(serve.host), port)}/v1`,
    model: upstream,
    servedModel: servedModel ?? '',
    ...(serve.apiKey ? { apiKey: serve.apiKey } : {}),
    onParentGone: () => void stop('SIGTERM', 'the process that started it exited'),
  });

  // The upstream is ready when its /v1/models answers (Ollama lists no model until `up` creates it: the model
  // and context given on the command line are enough); what is not given comes from there.
  const headers = upstreamKey ? { authorization: `Bearer ${upstreamKey}` } : undefined;
  for (;;) {
    const models = await fetch(`${upstream}/models`, { ...(headers ? { headers } : {}), signal: AbortSignal.timeout(5000) })
      .then(async (r) => (r.ok ? (((await r.json()) as { data?: { id?: string; max_model_len?: number; context_length?: number }[] }).data ?? []) : undefined))
      .catch(() => undefined);
    const card = models?.find((m) => m.id === args.upstreamModel) ?? models?.[0];
    const model = (args.upstreamModel as string | undefined) ?? card?.id;
    if (models && model) {
      const contextLength = ctx ?? card?.max_model_len ?? card?.context_length;
      if (!contextLength) log(`warning: ${upstream} does not say its context length; assuming 32768 (give --ctx)`);
      state.servedModel = servedModel ?? model;
      state.backend = new UpstreamBackend({ baseUrl: upstream, model, contextLength: contextLength ?? 32768, ...(upstreamKey ? { apiKey: upstreamKey } : {}), ...(maxTokensDefault ? { maxTokensDefault } : {}) });
      log(`ready: "${state.servedModel}" -> ${upstream} "${model}", context ${contextLength ?? 32768}`);
      return;
    }
    await sleep(500);
  }
}

function parseUpstream(value: unknown): string {
  if (typeof value !== 'string' || !value) throw new DevstralError('usage', '--upstream is required', { hint: 'give the OpenAI base URL of the server to stand in front of, e.g. --upstream http://127.0.0.1:8001/v1' });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DevstralError('usage', `--upstream ${value}: not a URL`, { hint: 'e.g. http://127.0.0.1:8001/v1' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DevstralError('usage', `--upstream ${value}: use an http:// or https:// URL`);
  const base = url.href.replace(/\/+$/, '');
  return base.endsWith('/v1') ? base : `${base}/v1`;
}
