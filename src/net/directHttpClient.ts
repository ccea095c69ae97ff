/**
 * HTTP/1.1 GETs whose bodies the socket reads straight into the caller's buffers (net/tls `onread`), over kept-alive
 * connections. A stream-based client (undici, node:http) allocates a buffer per socket read and hands it through a
 * stream: for gigabytes of model weights that is a second copy of every byte plus the garbage collection of
 * thousands of buffers, most of a core on a fast link. Only plain answers are taken (a status the caller accepts,
 * Content-Length framing); for anything else the connection is closed and the caller asks again with a full client.
 */
import net from 'node:net';
import tls from 'node:tls';

/** Where a response body goes. */
export interface BodySink {
  /** Memory for the next bytes (never empty). */
  space(): Buffer;
  /**
   * `n` bytes were written at the start of space(); false: the socket stops reading until ready() resolves (over
   * TLS, what was already decrypted still comes: a few KiB).
   */
  commit(n: number): boolean;
  ready(): Promise<void>;
}

export interface DirectResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

export interface DirectGetOptions {
  signal?: AbortSignal;
  /** No bytes for this long while waiting for the answer: the request fails. */
  stallMs: number;
}

/**
 * `complete`: the whole body went to the sink; false: the answer was declined (by `accept`, or not read by this
 * client: then its status is 0), and nothing went to a sink.
 */
export interface DirectGetResult {
  response: DirectResponse;
  complete: boolean;
}

const HEAD_BYTES = 16 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

export class DirectHttpClient {
  private readonly idle = new Map<string, Connection[]>();

  /** `tlsOptions`: e.g. a test's own CA (the default trusts Node's CAs and NODE_EXTRA_CA_CERTS). */
  constructor(private readonly tlsOptions: tls.ConnectionOptions = {}) {}

  /**
   * GET `url`; `accept` sees the status and headers and returns the sink for the body, or undefined to decline.
   * Rejects on network errors and stalls; what reached the sink before stays there.
   */
  async get(url: string, headers: Record<string, string>, options: DirectGetOptions, accept: (response: DirectResponse) => BodySink | undefined): Promise<DirectGetResult> {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported protocol ${target.protocol}`);
    const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`, `host: ${target.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    const request = `${lines.join('\r\n')}\r\n\r\n`;
    for (;;) {
      const reused = this.takeIdle(target.origin);
      const connection = reused ?? new Connection(target, this.tlsOptions);
      try {
        const result = await connection.exchange(request, options, accept);
        if (connection.reusable) this.putIdle(target.origin, connection);
        return result;
      } catch (error) {
        // A kept-alive connection the server had closed meanwhile: ask again on a new one.
        if (reused && !connection.answered && !options.signal?.aborted) continue;
        throw error;
      }
    }
  }

  /** Closes the idle connections. */
  close(): void {
    for (const list of this.idle.values()) for (const c of list) c.destroy();
    this.idle.clear();
  }

  private takeIdle(origin: string): Connection | undefined {
    const list = this.idle.get(origin);
    while (list?.length) {
      const c = list.pop()!;
      if (c.reusable) return c;
    }
    return undefined;
  }

  private putIdle(origin: string, connection: Connection): void {
    const list = this.idle.get(origin) ?? [];
    list.push(connection);
    this.idle.set(origin, list);
  }
}

interface Exchange {
  accept: (response: DirectResponse) => BodySink | undefined;
  resolve: (result: DirectGetResult) => void;
  reject: (error: Error) => void;
  response?: DirectResponse;
  sink?: BodySink;
  /** Body bytes still to come. */
  remaining: number;
}

class Connection {
  private readonly socket: net.Socket;
  private readonly head = Buffer.allocUnsafe(HEAD_BYTES);
  private headLength = 0;
  private current: Exchange | undefined;
  private keepAlive = true;
  /** Some bytes of the current answer arrived. */
  answered = false;

  constructor(target: URL, tlsOptions: tls.ConnectionOptions) {
    const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const onread = { buffer: () => this.readBuffer(), callback: (n: number) => this.onRead(n) };
    this.socket =
      target.protocol === 'https:'
        ? tls.connect({ ...tlsOptions, host, port, ...(net.isIP(host) ? {} : { servername: host }), ALPNProtocols: ['http/1.1'], onread } as tls.ConnectionOptions)
        : net.connect({ host, port, onread });
    this.socket.setNoDelay(true);
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('timeout', () => this.socket.destroy(new Error(`no data for ${Math.round((this.socket.timeout ?? 0) / 1000)} s`)));
    this.socket.on('close', () => this.fail(new Error(this.current?.response ? `the connection closed with ${this.current.remaining} bytes of the body missing` : 'the connection closed before an answer')));
  }

  get reusable(): boolean {
    return this.keepAlive && !this.current && !this.socket.destroyed;
  }

  exchange(request: string, options: DirectGetOptions, accept: Exchange['accept']): Promise<DirectGetResult> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<DirectGetResult>((resolve, reject) => {
      const onAbort = () => this.socket.destroy(signal!.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        signal?.removeEventListener('abort', onAbort);
        // Node asks for the next read's buffer right after this: the next answer's head goes to the start.
        this.current = undefined;
        this.headLength = 0;
        this.socket.setTimeout(0);
        this.socket.unref();
      };
      this.current = {
        accept,
        remaining: 0,
        resolve: (result) => (settle(), resolve(result)),
        reject: (error) => (settle(), reject(error)),
      };
      this.answered = false;
      this.socket.ref();
      this.socket.setTimeout(options.stallMs);
      if (this.socket.isPaused()) this.socket.resume();
      this.socket.write(request);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.keepAlive = false;
    this.socket.destroy();
    this.current?.reject(error);
  }

  /** Where the next read goes: the head buffer until the head is complete, then the sink, never past the body. */
  private readBuffer(): Uint8Array {
    const body = this.current?.sink;
    if (!body) return this.head.subarray(Math.min(this.headLength, HEAD_BYTES - 1));
    const space = body.space();
    return space.length > this.current!.remaining ? space.subarray(0, this.current!.remaining) : space;
  }

  /** false pauses the socket. */
  private onRead(n: number): boolean {
    const exchange = this.current;
    if (!exchange) {
      // Bytes nobody asked for: the connection is out of step.
      this.fail(new Error('unexpected data on an idle connection'));
      return false;
    }
    this.answered = true;
    if (!exchange.sink) return this.onHeadBytes(exchange, n);
    exchange.remaining -= n;
    const more = exchange.sink.commit(n);
    return this.afterBody(exchange, more);
  }

  private onHeadBytes(exchange: Exchange, n: number): boolean {
    this.headLength += n;
    const end = this.head.subarray(0, this.headLength).indexOf(HEAD_END);
    if (end < 0 && this.headLength < HEAD_BYTES - 1) return true;
    // A head this client cannot read (too long, malformed) is left to the full client, as any other answer it declines.
    const response = (end >= 0 && parseHead(this.head.toString('latin1', 0, end))) || { status: 0, headers: {} };
    const length = Number(response.headers['content-length']);
    const plain = response.status >= 200 && !response.headers['transfer-encoding'] && Number.isSafeInteger(length) && length >= 0;
    const sink = plain ? exchange.accept(response) : undefined;
    if (!sink) {
      // Declined, or framed in a way this client does not read: the connection is not reused.
      this.keepAlive = false;
      this.socket.destroy();
      exchange.resolve({ response, complete: false });
      return false;
    }
    exchange.response = response;
    exchange.sink = sink;
    exchange.remaining = length;
    this.keepAlive = !/\bclose\b/i.test(response.headers.connection ?? '');
    // Body bytes that came with the head (copied: the head buffer takes the next answer's head).
    const extra = Buffer.from(this.head.subarray(end + HEAD_END.length, this.headLength));
    if (extra.length > length) {
      this.fail(new Error('more bytes than Content-Length'));
      return false;
    }
    return this.deliver(exchange, extra);
  }

  /** Hands bytes already read to the sink, waiting whenever it asks to. false pauses the socket. */
  private deliver(exchange: Exchange, bytes: Buffer): boolean {
    const sink = exchange.sink!;
    while (bytes.length > 0) {
      const n = bytes.copy(sink.space());
      bytes = bytes.subarray(n);
      exchange.remaining -= n;
      if (!sink.commit(n)) {
        if (bytes.length === 0) return this.afterBody(exchange, false);
        sink.ready().then(
          () => this.current === exchange && this.deliver(exchange, bytes) && this.socket.resume(),
          (error: Error) => this.fail(error),
        );
        return false;
      }
    }
    return this.afterBody(exchange, true);
  }

  private afterBody(exchange: Exchange, more: boolean): boolean {
    if (exchange.remaining === 0) {
      if (!this.keepAlive) this.socket.destroy();
      exchange.resolve({ response: exchange.response!, complete: true });
      return true;
    }
    if (more) return true;
    exchange.sink!.ready().then(
      () => this.socket.resume(),
      (error: Error) => this.fail(error),
    );
    return false;
  }
}

function parseHead(text: string): DirectResponse | undefined {
  const [statusLine, ...lines] = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  if (/^HTTP\/1\.0/.test(statusLine!) && !/keep-alive/i.test(headers.connection ?? '')) headers.connection = 'close';
  return { status: Number(status[1]), headers };
}
