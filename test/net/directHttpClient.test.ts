import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { DirectHttpClient, type BodySink } from '../../src/net/directHttpClient.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

/** Collects a body through spaces of `spaceBytes`; with `holdEvery`, commit says "wait" every that many commits. */
class TestSink implements BodySink {
  readonly parts: Buffer[] = [];
  commits = 0;
  private memory: Buffer;
  private waiting: Promise<void> | undefined;

  /** `strict`: no bytes come while the sink asked to wait (TLS delivers what it already decrypted). */
  constructor(spaceBytes: number, private readonly holdEvery = 0, private readonly strict = true) {
    this.memory = Buffer.alloc(spaceBytes);
  }

  space(): Buffer {
    return this.memory;
  }

  commit(n: number): boolean {
    if (this.strict) assert.equal(this.waiting, undefined, 'bytes were read while the sink asked to wait');
    this.parts.push(Buffer.from(this.memory.subarray(0, n)));
    this.commits++;
    if (!this.holdEvery || this.commits % this.holdEvery) return true;
    this.waiting = new Promise((resolve) => setImmediate(resolve)).then(() => (this.waiting = undefined));
    return false;
  }

  ready(): Promise<void> {
    return this.waiting ?? Promise.resolve();
  }

  get bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

async function listen(server: Server): Promise<string> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const body = randomBytes(3 * 1024 * 1024 + 17);

function serveRanges(req: IncomingMessage, res: ServerResponse): void {
  const [, a, b] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '') ?? [];
  if (a === undefined) return void res.writeHead(200, { 'content-length': body.length }).end(body);
  const part = body.subarray(Number(a), Number(b) + 1);
  res.writeHead(206, { 'content-length': part.length, 'content-range': `bytes ${a}-${b}/${body.length}` }).end(part);
}

const accept206 = (sink: BodySink) => (r: { status: number }) => (r.status === 206 || r.status === 200 ? sink : undefined);

describe('DirectHttpClient', () => {
  it('reads bodies exactly into the sink over one kept-alive connection, whatever the space and pauses', async () => {
    const sockets = new Set<Socket>();
    const server = createHttpServer(serveRanges);
    server.on('connection', (s: Socket) => sockets.add(s));
    const host = await listen(server);
    const client = new DirectHttpClient();
    const cases = [[0, body.length - 1, 64 * 1024, 3], [5, 100_004, 7, 1000], [body.length - 3, body.length - 1, 1, 0]] as const;
    for (const [start, end, space, holdEvery] of cases) {
      const sink = new TestSink(space, holdEvery);
      const result = await client.get(`http://${host}/file?x=1`, { range: `bytes=${start}-${end}` }, { stallMs: 5000 }, accept206(sink));
      assert.equal(result.complete, true);
      assert.equal(result.response.status, 206);
      assert.equal(result.response.headers['content-range'], `bytes ${start}-${end}/${body.length}`);
      assert.ok(sink.bytes.equals(body.subarray(start, end + 1)), `bytes ${start}-${end}`);
    }
    assert.equal(sockets.size, 1);
    client.close();
  });

  it('declines answers the caller does not accept and bodies not framed by Content-Length, without reusing the connection', async () => {
    const sockets = new Set<Socket>();
    const server = createHttpServer((req, res) => {
      if (req.url === '/forbidden') return void res.writeHead(403, { 'content-length': 2 }).end('no');
      res.writeHead(206, { 'content-range': `bytes 0-9/${body.length}` }); // no length: chunked
      res.end(body.subarray(0, 10));
    });
    server.on('connection', (s: Socket) => sockets.add(s));
    const host = await listen(server);
    const client = new DirectHttpClient();
    const sink = new TestSink(1024);
    const forbidden = await client.get(`http://${host}/forbidden`, {}, { stallMs: 5000 }, accept206(sink));
    assert.deepEqual([forbidden.complete, forbidden.response.status], [false, 403]);
    const chunked = await client.get(`http://${host}/chunked`, {}, { stallMs: 5000 }, accept206(sink));
    assert.deepEqual([chunked.complete, chunked.response.headers['transfer-encoding']], [false, 'chunked']);
    assert.equal(sink.commits, 0);
    assert.equal(sockets.size, 2);
    client.close();
  });

  it('reads a head split across reads, with body bytes in the same read as its end', async () => {
    const pieces = ['HTTP/1.1 206 Par', 'tial Content\r\nContent-Length: 5\r\nContent-Range: bytes 0-4/5\r\n\r', '\nab', 'cde'];
    const server = createTcpServer((socket) => {
      socket.once('data', async () => {
        for (const piece of pieces) {
          socket.write(piece);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });
    });
    const host = await listen(server as unknown as Server);
    const sink = new TestSink(2, 1);
    const result = await new DirectHttpClient().get(`http://${host}/f`, {}, { stallMs: 5000 }, accept206(sink));
    assert.deepEqual([result.complete, result.response.headers['content-range'], sink.bytes.toString()], [true, 'bytes 0-4/5', 'abcde']);
  });

  it('declines heads it cannot read (malformed, too long), for the full client to handle', async () => {
    const heads = ['HTTP/1.1 206 Partial Content\r\nno colon here\r\ncontent-length: 1\r\n\r\nx', `HTTP/1.1 206 Partial Content\r\nx-big: ${'y'.repeat(20_000)}\r\ncontent-length: 1\r\n\r\nx`];
    const server = createTcpServer((socket) => {
      socket.once('data', () => socket.write(heads.shift()!));
    });
    const host = await listen(server as unknown as Server);
    const client = new DirectHttpClient();
    for (let i = 0; i < 2; i++) {
      const sink = new TestSink(16);
      const result = await client.get(`http://${host}/f`, {}, { stallMs: 5000 }, accept206(sink));
      assert.deepEqual([result.complete, result.response.status, sink.commits], [false, 0, 0]);
    }
  });

  it('rejects when the connection drops mid-body, keeping the bytes that came', async () => {
    const server = createTcpServer((socket) => {
      socket.once('data', () => {
        socket.write(`HTTP/1.1 206 Partial Content\r\ncontent-length: 1000\r\ncontent-range: bytes 0-999/1000\r\n\r\n`);
        socket.end(body.subarray(0, 600));
      });
    });
    const host = await listen(server as unknown as Server);
    const sink = new TestSink(100);
    await assert.rejects(new DirectHttpClient().get(`http://${host}/f`, {}, { stallMs: 5000 }, accept206(sink)), /closed with 400 bytes of the body missing/);
    assert.ok(sink.bytes.equals(body.subarray(0, 600)));
  });

  it('rejects a stalled answer and an aborted one', async () => {
    const server = createTcpServer((socket) => {
      socket.once('data', () => socket.write(`HTTP/1.1 206 Partial Content\r\ncontent-length: 1000\r\n\r\n${'x'.repeat(10)}`));
    });
    const host = await listen(server as unknown as Server);
    const client = new DirectHttpClient();
    await assert.rejects(client.get(`http://${host}/f`, {}, { stallMs: 200 }, accept206(new TestSink(64))), /no data for 0 s/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by the user')), 100);
    await assert.rejects(client.get(`http://${host}/f`, {}, { stallMs: 10_000, signal: controller.signal }, accept206(new TestSink(64))), /stopped by the user/);
  });

  it('asks again on a new connection when the server closed the kept-alive one', async () => {
    const server = createHttpServer((req, res) => {
      serveRanges(req, res);
      // The server drops every connection shortly after its answer, as an idle timeout would.
      res.on('finish', () => setTimeout(() => req.socket.destroy(), 20));
    });
    const host = await listen(server);
    const client = new DirectHttpClient();
    for (let i = 0; i < 3; i++) {
      const sink = new TestSink(4096);
      const result = await client.get(`http://${host}/f`, { range: 'bytes=0-99' }, { stallMs: 5000 }, accept206(sink));
      assert.equal(result.complete, true);
      assert.ok(sink.bytes.equals(body.subarray(0, 100)));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('reads over TLS', async () => {
    const server = createHttpsServer({ key: fixture('tls-localhost.key'), cert: fixture('tls-localhost.crt') }, serveRanges);
    const host = await listen(server as unknown as Server);
    const client = new DirectHttpClient({ ca: fixture('tls-localhost.crt') });
    const sink = new TestSink(100_000, 2, false);
    const result = await client.get(`https://${host.replace('127.0.0.1', 'localhost')}/f`, { range: `bytes=10-${body.length - 1}` }, { stallMs: 5000 }, accept206(sink));
    assert.equal(result.complete, true);
    assert.ok(sink.bytes.equals(body.subarray(10)));
    // A certificate nobody vouches for is refused.
    await assert.rejects(new DirectHttpClient().get(`https://${host}/f`, {}, { stallMs: 5000 }, accept206(new TestSink(10))), /self.signed|certificate/i);
    client.close();
  });
});
