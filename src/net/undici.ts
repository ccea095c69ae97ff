/**
 * undici's `request` and `EnvHttpProxyAgent` without undici's index, which loads every feature (fetch, mocks,
 * caches, sqlite): 115 ms of CPU on a 2-core machine against 40 ms for these modules, and every network command
 * starts with it. undici is pinned, as these module paths are not part of its public API.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type * as Undici from 'undici';

// undici parses HTTP with llhttp compiled to WebAssembly. V8 recompiles the whole module with TurboFan in the
// background, and a process waits for that before it exits: 100-130 ms after every network command on 2 cores, for
// parsing heads. The baseline compiler's code is enough.
setFlagsFromString('--liftoff-only');

const load = createRequire(import.meta.url);
// What undici's index does first: every dispatcher gets request/stream/pipeline/connect/upgrade (proxy agents
// open their tunnels with connect).
const Dispatcher = load('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
Object.assign(Dispatcher.prototype, load('undici/lib/api/index.js'));
const Agent = load('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const EnvHttpProxyAgent = load('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof Undici.EnvHttpProxyAgent;
export type { Dispatcher } from 'undici';

type RequestOptions = Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & Partial<Pick<Undici.Dispatcher.RequestOptions, 'method'>> & { dispatcher?: Undici.Dispatcher };

let defaultAgent: Undici.Agent | undefined;

/** undici's global dispatcher (shared by every copy of undici through this symbol), e.g. set by a user's preload. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** undici's `request(url, options)`: without a dispatcher, undici's global one if set, else a shared Agent (no proxy). */
export function request(url: string | URL, options: RequestOptions = {}): Promise<Undici.Dispatcher.ResponseData> {
  const global = (globalThis as Record<symbol, Undici.Dispatcher | undefined>)[GLOBAL_DISPATCHER];
  const { dispatcher = global ?? (defaultAgent ??= new Agent()), ...rest } = options;
  const target = new URL(url);
  return dispatcher.request({ ...rest, origin: target.origin, path: `${target.pathname}${target.search}`, method: rest.method ?? (rest.body ? 'PUT' : 'GET') });
}

/** Requests must go through undici: a proxy is configured, or a preload set undici's global dispatcher. */
export function usesProxyOrGlobalDispatcher(env: NodeJS.ProcessEnv = process.env): boolean {
  const proxy = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY'].some((name) => env[name]);
  return proxy || (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] !== undefined;
}
