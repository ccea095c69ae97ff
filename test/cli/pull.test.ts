/** `devstral pull` as a user runs it: the built CLI in a child process against the fake hub on 127.0.0.1. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTinyGguf } from '../support/writeTinyGguf.ts';
import { patternGenerator, randomSha, sha256Hex, startFakeHfServer, type FakeHfServer } from '../support/fakeHfServer.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const MAIN = randomSha();
const BIG = 4 * 1024 * 1024;
const gen = patternGenerator(11);
const tiny = Buffer.from((await buildTinyGguf({ fileType: 17, name: 'Devstral tiny stand-in' })).bytes);
let hub: FakeHfServer;

before(async () => {
  hub = await startFakeHfServer({
    repos: {
      'acme/model': { revisions: { main: MAIN }, files: [{ path: 'config.json', lfs: false, content: Buffer.from('{}') }, { path: 'w.bin', lfs: true, size: BIG, generate: gen }] },
      // The profile's official GGUF repo, with a tiny GGUF standing in for the 16 GB file.
      'mistralai/Devstral-Small-2507_gguf': { revisions: { main: MAIN }, files: [{ path: 'Devstral-Small-2507-Q5_K_M.gguf', lfs: true, content: tiny }] },
      'acme/notgguf': { revisions: { main: MAIN }, files: [{ path: 'model-Q4_K_M.gguf', lfs: true, content: Buffer.from('<html>not a gguf</html>') }] },
    },
  });
});
after(() => hub.close());

const envFor = (cache: string, extra: Record<string, string> = {}) => ({ ...process.env, HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache, HF_TOKEN: '', HF_HOME: cache, ...extra });
/** Async: the fake hub runs in this process, so a synchronous spawn would deadlock it. */
function pull(cache: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'pull', ...args], { encoding: 'utf8', env: envFor(cache) }, (error, out, err) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

describe('devstral pull', () => {
  it('hf:ORG/REPO --json: NDJSON events and a summary with the snapshot path', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'devstral-pull-'));
    const r = await pull(cache, 'hf:acme/model', '--json');
    assert.equal(r.code, 0, r.err);
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events[0].type, 'resolved');
    const summary = events.at(-1);
    assert.equal(summary.type, 'summary');
    assert.equal(summary.commit, MAIN);
    assert.equal(summary.bytes, BIG + 2);
    assert.equal(summary.snapshot, join(cache, 'models--acme--model', 'snapshots', MAIN));
    assert.deepEqual(readFileSync(join(summary.snapshot, 'w.bin')), gen(0, BIG));
  });

  it('without a terminal: one line per file, then where the files are', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'devstral-pull-'));
    const r = await pull(cache, 'hf:acme/model/w.bin');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /acme\/model @ [0-9a-f]{40}: 1 file\(s\), 4\.0 MiB to download/);
    assert.match(r.err, /w\.bin {2}done, 4\.0 MiB fetched/);
    assert.match(r.out, /^Pulled hf:acme\/model\/w\.bin: 1 file\(s\), 4\.0 MiB \(4\.0 MiB downloaded\)/);
    assert.match((await pull(cache, 'hf:acme/model/w.bin')).out, /\(0\.0 KiB downloaded\)/, 'the second pull is instant');
  });

  it('a profile id pulls the planned GGUF, checking its header first', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'devstral-pull-'));
    const r = await pull(cache, 'devstral-small-1.1', '--hardware', 'rtx-4090');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Devstral-Small-2507-Q5_K_M\.gguf: GGUF llama, Q5_K_M, 2 layers, context 4096/);
    const link = join(cache, 'models--mistralai--Devstral-Small-2507_gguf', 'snapshots', MAIN, 'Devstral-Small-2507-Q5_K_M.gguf');
    assert.equal(readlinkSync(link), `../../blobs/${sha256Hex(tiny)}`);
  });

  it('a file that is not a GGUF fails before the download, and errors exit 6', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'devstral-pull-'));
    const r = await pull(cache, 'hf:acme/notgguf:Q4_K_M');
    assert.equal(r.code, 6);
    assert.match(r.err, /not a usable GGUF file: Invalid GGUF/);
    assert.equal((await pull(cache, 'hf:acme/missing')).code, 6);
    assert.match((await pull(cache, 'hf:acme/model', '--connections', '0')).err, /--connections 0/);
  });

  it('Ctrl-C keeps the bytes; the next pull resumes and fetches only the rest', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'devstral-pull-'));
    hub.reset();
    hub.setFault({ rateBytesPerSec: 512 * 1024 });
    const child = spawn(process.execPath, [bin, 'pull', 'hf:acme/model/w.bin', '--json', '--connections', '2'], { env: envFor(cache) });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/"type":"progress"/.test(stdout) && !child.killed) {
          child.kill('SIGINT');
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted[\s\S]*run the same command again to resume/);
    hub.setFault(undefined);
    await hub.idle();
    const before = hub.bytesServed('w.bin');
    const r = await pull(cache, 'hf:acme/model/w.bin', '--json');
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out.trim().split('\n').at(-1)!);
    await hub.idle();
    assert.ok(summary.fetchedBytes < BIG, `resumed: fetched ${summary.fetchedBytes} of ${BIG}`);
    assert.equal(hub.bytesServed('w.bin') - before, summary.fetchedBytes);
    assert.deepEqual(readFileSync(join(summary.snapshot, 'w.bin')), gen(0, BIG));
  });
});

/** A TCP proxy in front of the hub that accepts connections and drops the ones `drop` picks right after the request. */
async function droppingProxy(target: string, drop: (n: number) => boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer, connect } = await import('node:net');
  const { port, hostname } = new URL(target);
  let n = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (drop(n++)) return void client.once('data', () => client.destroy());
    const upstream = connect(Number(port), hostname);
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

describe('devstral pull over a network that drops connections', () => {
  const pullVia = (endpoint: string, cache: string, ...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(process.execPath, [bin, 'pull', ...args], { encoding: 'utf8', env: envFor(cache, { HF_ENDPOINT: endpoint }) }, (error, out, err) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err }));
    });

  it('connections dropped before the answer (hub API, HEAD, GGUF header) and in the middle of the file are retried: the pull completes and says so', async () => {
    const proxy = await droppingProxy(hub.url, (n) => n % 2 === 0);
    // The CDN drops each file's first answer after 1000 bytes.
    hub.setFault((req) => (req.server === 'cdn' && req.method === 'GET' && req.attempt === 1 ? { dropAfterBytes: 1000 } : undefined));
    try {
      const cache = mkdtempSync(join(tmpdir(), 'devstral-pull-drops-'));
      const gguf = await pullVia(proxy.url, cache, 'hf:mistralai/Devstral-Small-2507_gguf/Devstral-Small-2507-Q5_K_M.gguf');
      assert.equal(gguf.code, 0, gguf.err);
      const repo = await pullVia(proxy.url, cache, 'hf:acme/model');
      assert.equal(repo.code, 0, repo.err);
      assert.match(repo.err, /w\.bin {2}connection dropped: retrying in \d+ s \(attempt 2 of \d+\), from the bytes on disk/);
    } finally {
      hub.setFault(undefined);
      await proxy.close();
    }
  });

  it('a server that accepts and then always drops is "connection dropped" (exit 6), not "cannot reach", and no bug report', async () => {
    const proxy = await droppingProxy(hub.url, () => true);
    try {
      const r = await pullVia(proxy.url, mkdtempSync(join(tmpdir(), 'devstral-pull-drops-')), 'hf:acme/model');
      assert.equal(r.code, 6, r.err);
      assert.match(r.err, /connection dropped by http:\/\/127\.0\.0\.1:\d+/);
      assert.doesNotMatch(r.err, /cannot reach|bug/);
    } finally {
      await proxy.close();
    }
  });
});
