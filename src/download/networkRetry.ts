/**
 * Transient network failures (a connection refused, reset, or dropped by the server before or during an answer, as
 * CDNs do) are retried with backoff; what is left after the last attempt is said as what it was: "connection
 * dropped" for a server that accepted and then closed, "cannot reach" for one that never answered.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_ABORTED_BY_PEER']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function codeOf(error: unknown): string | undefined {
  let e = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) if (typeof e.code === 'string') return e.code;
  return undefined;
}

/** 'dropped', 'unreachable', or undefined for anything that is not a network failure (a bug, a hub error). */
export function networkFailure(error: unknown): 'dropped' | 'unreachable' | undefined {
  const code = codeOf(error);
  if (code && DROPPED.has(code)) return 'dropped';
  if (code && UNREACHABLE.has(code)) return 'unreachable';
  if (/other side closed|socket hang up|terminated|premature close/i.test((error as Error)?.message ?? '')) return 'dropped';
  return undefined;
}

export interface RetryOptions {
  attempts: number;
  baseMs: number;
  signal?: AbortSignal;
  /** Told before each wait: the attempt that failed, how it failed and how long until the next. */
  onRetry?: (info: { attempt: number; failure: 'dropped' | 'unreachable'; waitMs: number; message: string }) => void;
}

/** Runs `attempt` until it succeeds, a non-network error, or the last attempt (whose error is thrown). */
export async function withNetworkRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const failure = networkFailure(error);
      if (!failure || n >= options.attempts || options.signal?.aborted) throw error;
      const waitMs = options.baseMs * 2 ** (n - 1);
      options.onRetry?.({ attempt: n, failure, waitMs, message: (error as Error).message });
      await sleep(waitMs, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}
