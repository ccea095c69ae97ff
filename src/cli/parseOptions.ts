/** Turns raw CLI values into validated planner inputs; every mistake becomes a usage error. Pure. */
import { findAgent } from '../agents/agents.js';
import { DevstralError } from '../errors.js';
import { RUNTIME_IDS, type RuntimeId } from '../profiles/modelProfile.js';
import type { PlanOptions, ServeOptions } from '../planShapes.js';

/** "32768", "32k", "128K" -> tokens. */
export function parseTokens(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)(k)?$/i.exec(String(value).trim());
  const n = match ? Number(match[1]) * (match[2] ? 1024 : 1) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new DevstralError('usage', `--${flag} ${String(value)}: expected a number of tokens such as 32768 or 32k`);
  }
  return n;
}

export function parsePositiveInt(flag: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(String(value).trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new DevstralError('usage', `--${flag} ${String(value)}: expected a whole number from 1 to ${max}`);
  }
  return n;
}

/** "0,1" or "0 1" -> [0, 1]. */
export function parseGpuList(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = String(value).split(/[\s,]+/).filter(Boolean);
  const indices = parts.map(Number);
  if (parts.length === 0 || indices.some((i, k) => !/^\d+$/.test(parts[k]!) || !Number.isSafeInteger(i))) {
    throw new DevstralError('usage', `--gpus ${String(value)}: expected GPU indices such as 0 or 0,1`, { hint: 'see the indices with `devstral detect`' });
  }
  return [...new Set(indices)];
}

export function parseRuntime(value: unknown): RuntimeId | undefined {
  if (value === undefined) return undefined;
  const aliases: Record<string, RuntimeId> = { 'llama.cpp': 'llamacpp', 'llama-cpp': 'llamacpp', embedded: 'llamacpp' };
  const v = String(value).toLowerCase();
  const runtime = aliases[v] ?? v;
  if (!(RUNTIME_IDS as readonly string[]).includes(runtime)) {
    throw new DevstralError('usage', `--runtime ${String(value)}: unknown runtime`, { hint: `use one of ${RUNTIME_IDS.join(', ')}` });
  }
  return runtime as RuntimeId;
}

export interface RawPlanArgs {
  runtime?: unknown;
  quant?: unknown;
  ctx?: unknown;
  minCtx?: unknown;
  tp?: unknown;
  gpus?: unknown;
  /** --for AGENT: the context that agent needs becomes the minimum. */
  for?: unknown;
  nodes?: unknown;
}

export function parsePlanOptions(raw: RawPlanArgs): PlanOptions {
  const options: PlanOptions = {};
  const runtime = parseRuntime(raw.runtime);
  if (runtime) options.runtime = runtime;
  if (raw.quant !== undefined) {
    if (String(raw.quant).trim() === '') throw new DevstralError('usage', '--quant needs a value such as Q4_K_M');
    options.quant = String(raw.quant);
  }
  const ctx = parseTokens('ctx', raw.ctx);
  if (ctx !== undefined) options.ctx = ctx;
  const minCtx = parseTokens('min-ctx', raw.minCtx);
  if (minCtx !== undefined) options.minCtx = minCtx;
  if (raw.for !== undefined) {
    // An agent's context is a minimum, as --min-ctx is: the planner trades to reach it, or refuses.
    const agent = findAgent(String(raw.for));
    options.minCtx = Math.max(options.minCtx ?? 0, agent.planContext);
    options.forAgent = agent.name;
  }
  const tp = parsePositiveInt('tp', raw.tp, 64);
  if (tp !== undefined) options.tp = tp;
  const gpus = parseGpuList(raw.gpus);
  if (gpus) options.gpus = gpus;
  const nodes = parsePositiveInt('nodes', raw.nodes, 64);
  if (nodes !== undefined && nodes > 1) options.nodes = nodes;
  if (options.nodes && options.runtime !== undefined && options.runtime !== 'vllm') {
    throw new DevstralError('usage', `--nodes is served by vLLM (pipeline parallel across machines); --runtime ${options.runtime} runs on one`);
  }
  if (options.ctx !== undefined && options.minCtx !== undefined && options.ctx < options.minCtx) {
    const what = options.forAgent ? `the ${options.minCtx} tokens ${options.forAgent} needs (--for)` : `--min-ctx ${options.minCtx}`;
    throw new DevstralError('usage', `--ctx ${options.ctx} is smaller than ${what}`);
  }
  if (options.tp !== undefined && options.runtime !== undefined && options.runtime !== 'vllm') {
    throw new DevstralError('usage', `--tp is a vLLM setting; --runtime ${options.runtime} does not use it`);
  }
  return options;
}

export interface RawServeArgs {
  host?: unknown;
  port?: unknown;
  apiKey?: unknown;
  servedModelName?: unknown;
}

export function parseServeOptions(raw: RawServeArgs): ServeOptions {
  const host = raw.host === undefined ? '127.0.0.1' : String(raw.host).trim();
  if (!/^[\w.:-]+$/.test(host)) throw new DevstralError('usage', `--host ${String(raw.host)}: expected a host name or IP address such as 127.0.0.1 or 0.0.0.0`);
  const port = parsePositiveInt('port', raw.port, 65535);
  const serve: ServeOptions = port === undefined ? { host } : { host, port };
  if (raw.apiKey !== undefined) {
    const key = String(raw.apiKey);
    if (key === '' || /\s/.test(key)) throw new DevstralError('usage', '--api-key must be a non-empty value without spaces');
    serve.apiKey = key;
  }
  if (raw.servedModelName !== undefined) {
    const name = String(raw.servedModelName);
    if (!/^[\w.:/-]+$/.test(name)) throw new DevstralError('usage', `--served-model-name ${name}: use letters, digits and . _ - : /`);
    serve.servedModelName = name;
  }
  return serve;
}

/** --allowed-hosts and --cors-origin: comma-separated lists (an origin is scheme://host[:port], or *). */
export function parseGuardOptions(raw: { allowedHosts?: unknown; corsOrigin?: unknown }, listenHost: string): { listenHost: string; allowedHosts: string[]; corsOrigins: string[] } {
  const list = (v: unknown) => (v === undefined ? [] : String(v).split(',').map((x) => x.trim()).filter(Boolean));
  const allowedHosts = list(raw.allowedHosts);
  for (const h of allowedHosts) if (!/^[\w.-]+$|^\[[0-9a-f:.]+\]$/i.test(h)) throw new DevstralError('usage', `--allowed-hosts ${h}: expected a host name such as devbox.local`);
  const corsOrigins = list(raw.corsOrigin).map((o) => o.replace(/\/+$/, ''));
  for (const o of corsOrigins) if (o !== '*' && !/^https?:\/\/[^/\s]+$/i.test(o)) throw new DevstralError('usage', `--cors-origin ${o}: expected an origin such as http://localhost:3000, or *`);
  return { listenHost, allowedHosts, corsOrigins };
}
