/**
 * One HTTP request with a timeout and the caller's AbortSignal; network failures become values, because for a
 * health check "connection refused" is an answer. Aborting through the caller's signal still throws.
 */

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  apiKey?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type FailureKind = 'refused' | 'dns' | 'timeout' | 'failed';

export type RequestOutcome =
  | { kind: 'response'; status: number; contentType: string; response: Response; signal: AbortSignal }
  | { kind: FailureKind; reason: string };

/** Sends the request and returns the response with its body unread; the timeout also covers reading it. */
export async function openRequest(url: string, options: RequestOptions): Promise<RequestOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal,
    });
    return { kind: 'response', status: response.status, contentType: response.headers.get('content-type') ?? '', response, signal };
  } catch (error) {
    return describeFailure(error, options);
  }
}

/** Sends the request and reads the whole body as text (and JSON when it parses). */
export async function sendRequest(
  url: string,
  options: RequestOptions,
): Promise<{ kind: 'response'; status: number; contentType: string; text: string; json: unknown } | { kind: FailureKind; reason: string }> {
  const outcome = await openRequest(url, options);
  if (outcome.kind !== 'response') return outcome;
  try {
    const text = await outcome.response.text();
    return { kind: 'response', status: outcome.status, contentType: outcome.contentType, text, json: parseJson(text) };
  } catch (error) {
    return describeFailure(error, options);
  }
}

/** A fetch or body-read error as a failure value; rethrows when the caller aborted. */
export function describeFailure(error: unknown, options: { timeoutMs: number; signal?: AbortSignal }): { kind: FailureKind; reason: string } {
  if (options.signal?.aborted) throw options.signal.reason;
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout', reason: `no answer within ${formatSeconds(options.timeoutMs)}` };
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const code = cause?.code ?? '';
  if (code === 'ECONNREFUSED') return { kind: 'refused', reason: 'connection refused: nothing listens on that port' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', reason: `the host name does not resolve (${code})` };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || /other side closed|terminated/i.test(cause?.message ?? (error as Error).message)) {
    return { kind: 'failed', reason: 'the server closed the connection' };
  }
  return { kind: 'failed', reason: cause?.message ?? (error as Error).message };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The message of an OpenAI-style (or any JSON) error body, else the start of the text. */
export function errorMessage(json: unknown, text: string): string {
  const body = json as { error?: unknown; detail?: unknown; message?: unknown } | undefined;
  const error = body?.error as { message?: unknown } | string | undefined;
  const message = typeof error === 'string' ? error : error?.message ?? body?.detail ?? body?.message;
  const raw = typeof message === 'string' ? message : text;
  return truncate(raw.replace(/\s+/g, ' ').trim(), 200) || '(empty body)';
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
