/**
 * Waits until a server that is starting can serve: GET /health answers 200 (or, on servers without /health,
 * /v1/models does). Connection refused means "not yet" (vLLM does not listen while it loads), 503 means loading
 * (llama.cpp-style servers). Retries with backoff from 200 ms up to 2 s. Used by `health --wait` and `devstral up`.
 */
import { normalizeBaseUrl } from './normalizeBaseUrl.js';
import { errorMessage, sendRequest } from './sendRequest.js';
import { sleep } from '../sleep.js';

export type WaitState = 'refused' | 'loading' | 'error';

export interface WaitForReadyOptions {
  baseUrl: string;
  apiKey?: string;
  /** How long to keep trying, in ms from the call. */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Called after each attempt that did not find the server ready. */
  onAttempt?: (state: WaitState, detail: string) => void;
  /** The server's process is still running; false ends the wait at once with 'dead'. */
  isAlive?: () => boolean;
}

/** Resolves 'ready', 'timeout' or 'dead'; rejects with the signal's reason when aborted. */
export async function waitForReady(options: WaitForReadyOptions): Promise<'ready' | 'timeout' | 'dead'> {
  const { baseUrl, rootUrl } = normalizeBaseUrl(options.baseUrl);
  const end = Date.now() + options.deadlineMs;
  let delay = 200;
  for (;;) {
    if (options.isAlive && !options.isAlive()) return 'dead';
    const remaining = end - Date.now();
    if (remaining <= 0) return 'timeout';
    const attempt = await probeOnce(rootUrl, baseUrl, options.apiKey, Math.min(5000, Math.max(remaining, 100)), options.signal);
    if (attempt === 'ready') return 'ready';
    options.onAttempt?.(attempt.state, attempt.detail);
    if (options.isAlive && !options.isAlive()) return 'dead';
    const left = end - Date.now();
    if (left <= 0) return 'timeout';
    await sleep(Math.min(delay, left), options.signal);
    delay = Math.min(delay * 2, 2000);
  }
}

async function probeOnce(rootUrl: string, baseUrl: string, apiKey: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<'ready' | { state: WaitState; detail: string }> {
  const request = { apiKey, timeoutMs, signal };
  let r = await sendRequest(`${rootUrl}/health`, request);
  if (r.kind === 'response' && [401, 403, 404, 405].includes(r.status)) {
    // No /health: the model list answers once the server serves. 401 means it serves but wants a key.
    r = await sendRequest(`${baseUrl}/models`, request);
    if (r.kind === 'response' && (r.status === 401 || r.status === 403)) return 'ready';
  }
  if (r.kind === 'refused') return { state: 'refused', detail: r.reason };
  if (r.kind !== 'response') return { state: 'error', detail: r.reason };
  if (r.status === 200) return 'ready';
  if (r.status === 503) {
    const status = (r.json as { status?: unknown } | undefined)?.status;
    return { state: 'loading', detail: typeof status === 'string' ? status : errorMessage(r.json, r.text) };
  }
  return { state: 'error', detail: `HTTP ${r.status}: ${errorMessage(r.json, r.text)}` };
}

