import type { HttpGetFn } from './detectDeps.js';

/** The real HttpGetFn: Node's fetch with a hard deadline. Only used for loopback checks, so no proxy handling. */
export const httpGetText: HttpGetFn = async (url, timeoutMs) => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    return { kind: 'response', status: response.status, body: await response.text() };
  } catch (error) {
    const name = (error as Error | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout', reason: `no answer from ${url} within ${timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
    return { kind: 'failed', reason: `${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
  }
};
