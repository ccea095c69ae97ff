import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { downloadBlob } from '../../src/download/downloadBlob.js';
import { HubClient } from '../../src/download/hubClient.js';

const content = randomBytes(300_000);
const etag = createHash('sha256').update(content).digest('hex');

/** A server for one file whose Range answers `answer` shapes. */
async function serve(answer: (start: number, end: number, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'HEAD') return void res.writeHead(200, { 'content-length': content.length }).end();
    const [, a, b] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '') ?? [];
    answer(Number(a), Number(b), res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function download(url: string) {
  const dir = mkdtempSync(join(tmpdir(), 'download-blob-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const dest = join(dir, etag);
  const client = new HubClient({ endpoint: url });
  const run = downloadBlob({ url: `${url}/f`, size: content.length, etag, lfs: true, dest, label: 'acme/model/f' }, { client, connections: 3, chunkBytes: 100_000, attempts: 2, retryBaseMs: 1 });
  return { run, dest };
}

describe('downloadBlob', () => {
  it('refuses a 206 reaching past the requested range (it would write over the next chunk)', async () => {
    const url = await serve((start, _end, res) => {
      const rest = content.subarray(start);
      res.writeHead(206, { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}`, 'content-length': rest.length }).end(rest);
    });
    const { run, dest } = await download(url);
    await assert.rejects(run, /failed 2 times: the server answered Content-Range "bytes 0-299999\/300000" for bytes=0-99999/);
    assert.ok(!existsSync(dest));
  });

  it('takes a 206 that brings fewer bytes than asked and fetches the rest', async () => {
    const url = await serve((start, end, res) => {
      const last = Math.min(end, start + 29_999);
      res.writeHead(206, { 'content-range': `bytes ${start}-${last}/${content.length}`, 'content-length': last - start + 1 }).end(content.subarray(start, last + 1));
    });
    const { run, dest } = await download(url);
    await run;
    assert.ok(readFileSync(dest).equals(content));
  });
});
