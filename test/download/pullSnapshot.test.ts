/** The Hugging Face client against the fake hub on 127.0.0.1: layout, resume, faults, errors, offline, locks. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DevstralError } from '../../src/errors.ts';
import { bytesOnDisk } from '../../src/download/blobState.ts';
import { HubClient } from '../../src/download/hubClient.ts';
import { ggufParts, pullTargetForRef } from '../../src/download/pullTarget.ts';
import { pullSnapshot, type PullEvent, type PullOptions, type PullRequest } from '../../src/download/pullSnapshot.ts';
import { gitBlobSha1, patternGenerator, randomSha, sha256Hex, startFakeHfServer, type FakeHfServer } from '../support/fakeHfServer.ts';

const MAIN = randomSha();
const TOKEN = 'hf_test_token';
const config = Buffer.from('{"architectures":["MistralForCausalLM"]}\n');
const params = Buffer.from('{"dim":5120}\n');
const weights = randomBytes(1_500_000);
const nested = Buffer.from('nested file\n');
const BIG = 3 * 1024 * 1024 + 77;
const bigGen = patternGenerator(3);
const bigContent = bigGen(0, BIG);

let hub: FakeHfServer;
let cacheDir: string;

const repos = () => ({
  'acme/model': {
    revisions: { main: MAIN },
    files: [
      { path: 'config.json', lfs: false, content: config },
      { path: 'params.json', lfs: false, content: params },
      { path: 'model.safetensors', lfs: true, content: weights },
      { path: 'sub/dir/notes.txt', lfs: false, content: nested },
      { path: 'big.bin', lfs: true as const, size: BIG, generate: bigGen },
    ],
  },
  'acme/gguf': {
    revisions: { main: MAIN },
    files: [
      { path: 'model-Q4_K_M.gguf', lfs: true, content: Buffer.from('gguf q4') },
      { path: 'model-UD-Q4_K_M.gguf', lfs: true, content: Buffer.from('gguf ud q4') },
      { path: 'Q8_0/model-Q8_0-00001-of-00002.gguf', lfs: true, content: Buffer.from('part 1') },
      { path: 'Q8_0/model-Q8_0-00002-of-00002.gguf', lfs: true, content: Buffer.from('part 2') },
      { path: 'mmproj-Q8_0.gguf', lfs: true, content: Buffer.from('projector') },
    ],
  },
  'acme/gated': { revisions: { main: MAIN }, gated: true, files: [{ path: 'w.bin', lfs: true, content: Buffer.from('secret weights') }] },
});

before(async () => {
  hub = await startFakeHfServer({ repos: repos(), tokens: [TOKEN], pageSize: 2 });
});
after(async () => {
  await hub.close();
});
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'devstral-hub-'));
  hub.reset();
});
afterEach(() => hub.setFault(undefined));

function options(extra: Partial<PullOptions> & { token?: string } = {}): PullOptions {
  const { token, ...rest } = extra;
  return {
    client: new HubClient({ endpoint: hub.url, ...(token ? { token } : {}) }),
    cacheDir,
    offline: false,
    connections: 4,
    chunkBytes: 256 * 1024,
    stallMs: 400,
    retryBaseMs: 10,
    ...rest,
  };
}
const all = (repo = 'acme/model'): PullRequest => ({ repo, revision: 'main', selection: { kind: 'all' } });
const one = (path: string, repo = 'acme/model'): PullRequest => ({ repo, revision: 'main', selection: { kind: 'paths', required: [path] } });
const repoDir = () => join(cacheDir, 'models--acme--model');

describe('pullSnapshot', () => {
  it('writes the standard Hugging Face cache layout exactly', async () => {
    const result = await pullSnapshot(all(), options());
    assert.equal(result.commit, MAIN);
    assert.equal(readFileSync(join(repoDir(), 'refs', 'main'), 'utf8'), MAIN);
    const blobs = readdirSync(join(repoDir(), 'blobs')).sort();
    const expected = [sha256Hex(weights), sha256Hex(bigContent), gitBlobSha1(config), gitBlobSha1(params), gitBlobSha1(nested)].sort();
    assert.deepEqual(blobs, expected, 'LFS blobs named by sha256, regular files by git sha1, nothing else');
    const snap = join(repoDir(), 'snapshots', MAIN);
    assert.equal(readlinkSync(join(snap, 'model.safetensors')), `../../blobs/${sha256Hex(weights)}`);
    assert.equal(readlinkSync(join(snap, 'config.json')), `../../blobs/${gitBlobSha1(config)}`);
    assert.equal(readlinkSync(join(snap, 'sub', 'dir', 'notes.txt')), `../../../../blobs/${gitBlobSha1(nested)}`);
    assert.deepEqual(readFileSync(join(snap, 'big.bin')), bigContent);
    assert.deepEqual(readFileSync(join(snap, 'model.safetensors')), weights);
    assert.equal(result.snapshotDir, snap);
    assert.equal(result.fetchedBytes, config.length + params.length + weights.length + nested.length + BIG);
    assert.ok(!hub.requests({ server: 'cdn', sentAuthorization: true }).length);
  });

  it('a second pull downloads nothing and knows it at once', async () => {
    await pullSnapshot(all(), options());
    hub.reset();
    const events: PullEvent[] = [];
    const result = await pullSnapshot(all(), options({ onEvent: (e) => events.push(e) }));
    assert.equal(result.fetchedBytes, 0);
    assert.equal(hub.requests({ kind: 'blob' }).length + hub.requests({ kind: 'resolve' }).length, 0);
    const resolved = events.find((e) => e.type === 'resolved');
    assert.ok(resolved && resolved.type === 'resolved' && resolved.files.every((f) => f.cached) && resolved.missingBytes === 0);
  });

  it('one file takes one HEAD of its /resolve URL: no revision or tree calls, and no second HEAD before the bytes', async () => {
    for (const [path, content, etag] of [['model.safetensors', weights, sha256Hex(weights)], ['config.json', config, gitBlobSha1(config)]] as const) {
      hub.reset();
      const events: PullEvent[] = [];
      const result = await pullSnapshot({ ...one(path), revision: 'main' }, options({ onEvent: (e) => events.push(e) }));
      assert.equal(result.commit, MAIN);
      assert.equal(readFileSync(join(repoDir(), 'refs', 'main'), 'utf8'), MAIN);
      assert.equal(readlinkSync(join(repoDir(), 'snapshots', MAIN, path)), `../../blobs/${etag}`);
      assert.deepEqual(readFileSync(join(result.snapshotDir, path)), content);
      assert.equal(hub.requests({ kind: 'model-info' }).length + hub.requests({ kind: 'tree' }).length, 0, path);
      assert.equal(hub.requests({ kind: 'resolve' }).filter((r) => r.method === 'HEAD').length, 1, path);
      const resolved = events.find((e) => e.type === 'resolved');
      assert.deepEqual(resolved?.type === 'resolved' && resolved.files, [{ path, size: content.length, cached: false }]);
    }
  });

  it('follows the paginated tree (page size 2)', async () => {
    const result = await pullSnapshot(all(), options());
    assert.equal(result.files.length, 5);
    assert.ok(hub.requests({ kind: 'tree' }).length >= 3);
  });

  it('goes through the proxy in HTTP_PROXY (CONNECT tunnels), hub and CDN alike', async () => {
    const tunnels: string[] = [];
    const proxy = createHttpServer();
    proxy.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
      tunnels.push(req.url!);
      const [host, port] = req.url!.split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    delete process.env.NO_PROXY;
    try {
      const result = await pullSnapshot(one('model.safetensors'), options());
      assert.deepEqual(readFileSync(join(result.snapshotDir, 'model.safetensors')), weights);
      const hubHost = new URL(hub.url).host;
      assert.ok(tunnels.includes(hubHost), `the hub through the proxy: ${tunnels.join(', ')}`);
      assert.ok(tunnels.some((t) => t !== hubHost), `the CDN through the proxy: ${tunnels.join(', ')}`);
    } finally {
      for (const [key, value] of Object.entries(saved)) value === undefined ? delete process.env[key] : (process.env[key] = value);
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it('sends the token to the hub, never to the CDN', async () => {
    await pullSnapshot(all('acme/gated'), options({ token: TOKEN }));
    assert.ok(hub.requests({ server: 'hub', sentAuthorization: true }).length > 0);
    assert.equal(hub.requests({ server: 'cdn', sentAuthorization: true }).length, 0);
  });

  it('resumes after an interruption, fetching only the missing bytes', async () => {
    // Throttled, so the interruption lands mid-file however busy the machine is.
    hub.setFault({ rateBytesPerSec: 512 * 1024 });
    const controller = new AbortController();
    const first = pullSnapshot(one('big.bin'), options({
      connections: 2,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.bytes > BIG / 3) controller.abort(new Error('interrupted'));
      },
    }));
    await assert.rejects(first);
    const blob = join(repoDir(), 'blobs', sha256Hex(bigContent));
    const onDisk = await bytesOnDisk(blob, sha256Hex(bigContent), BIG);
    assert.ok(onDisk > 0 && onDisk < BIG, `kept ${onDisk} bytes`);
    assert.ok(!existsSync(blob), 'an unverified file never enters blobs/');
    await hub.idle();
    hub.reset();
    hub.setFault(undefined);
    // Other connections and no chunk size: the chunks of the record still apply.
    const { chunkBytes: _, ...unchunked } = options({ connections: 3 });
    const result = await pullSnapshot(one('big.bin'), unchunked);
    await hub.idle();
    assert.equal(result.fetchedBytes, BIG - onDisk);
    assert.equal(hub.bytesServed('big.bin'), BIG - onDisk, 'the server sent only what was missing');
    assert.deepEqual(readFileSync(blob), bigContent);
  });

  it('resumes when more chunks are complete than connections look ahead', async () => {
    // 13 chunks of 256 KiB; the first 9 on disk (more than connections + 4 ahead of the hash), the 10th half.
    const blob = join(repoDir(), 'blobs', sha256Hex(bigContent));
    const done = Array.from({ length: 13 }, (_, i) => (i < 9 ? 256 * 1024 : i === 9 ? 100_000 : 0));
    mkdirSync(join(repoDir(), 'blobs'), { recursive: true });
    writeFileSync(`${blob}.incomplete`, bigContent.subarray(0, 9 * 256 * 1024 + 100_000));
    writeFileSync(`${blob}.incomplete.json`, JSON.stringify({ version: 1, etag: sha256Hex(bigContent), size: BIG, chunkBytes: 256 * 1024, done }));
    const result = await pullSnapshot(one('big.bin'), options({ connections: 2 }));
    await hub.idle();
    assert.equal(result.fetchedBytes, BIG - (9 * 256 * 1024 + 100_000));
    assert.deepEqual(readFileSync(blob), bigContent);
    assert.ok(!existsSync(`${blob}.incomplete.json`), 'no resume record is left behind');
  });

  it('a resume record claiming bytes the file lacks (lost in a power cut) starts the file over', async () => {
    const blob = join(repoDir(), 'blobs', sha256Hex(bigContent));
    mkdirSync(join(repoDir(), 'blobs'), { recursive: true });
    writeFileSync(`${blob}.incomplete`, bigContent.subarray(0, 1000));
    const done = Array.from({ length: 13 }, (_, i) => (i < 4 ? 256 * 1024 : 0));
    writeFileSync(`${blob}.incomplete.json`, JSON.stringify({ version: 1, etag: sha256Hex(bigContent), size: BIG, chunkBytes: 256 * 1024, done }));
    const result = await pullSnapshot(one('big.bin'), options({ connections: 2 }));
    assert.equal(result.fetchedBytes, BIG);
    assert.deepEqual(readFileSync(blob), bigContent);
  });

  it('a dropped connection resumes the part where it broke', async () => {
    hub.setFault((req) => (req.server === 'cdn' && req.attempt === 1 ? { dropAfterBytes: 1000 } : undefined));
    await pullSnapshot(one('big.bin'), options());
    await hub.idle();
    assert.equal(hub.bytesServed('big.bin'), BIG, 'no byte fetched twice');
    assert.deepEqual(readFileSync(join(repoDir(), 'snapshots', MAIN, 'big.bin')), bigContent);
  });

  it('500s are retried with backoff', async () => {
    hub.setFault([{ status: 500 }, { status: 503 }]);
    const result = await pullSnapshot(one('model.safetensors'), options());
    assert.equal(result.fetchedBytes, weights.length);
  });

  it('a stalled part is restarted', async () => {
    hub.setFault((req) => (req.server === 'cdn' && req.attempt === 2 ? { stallAfterBytes: 100 } : undefined));
    await pullSnapshot(one('big.bin'), options({ stallMs: 300 }));
    assert.deepEqual(readFileSync(join(repoDir(), 'snapshots', MAIN, 'big.bin')), bigContent);
    assert.ok(hub.requests((r) => r.fault?.stallAfterBytes !== undefined).length >= 1, 'the stall happened');
  });

  it('a server that ignores Range gets one plain download', async () => {
    hub.setFault({ ignoreRange: true });
    await pullSnapshot(one('big.bin'), options());
    assert.deepEqual(readFileSync(join(repoDir(), 'snapshots', MAIN, 'big.bin')), bigContent);
  });

  it('corrupt data never reaches blobs/: the error names the file and both hashes', async () => {
    hub.setFault({ corrupt: true });
    await assert.rejects(pullSnapshot(one('model.safetensors'), options()), (e: DevstralError) => {
      assert.equal(e.code, 'download');
      assert.match(e.message, /acme\/model\/model\.safetensors: hash mismatch: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/);
      return true;
    });
    const blobs = existsSync(join(repoDir(), 'blobs')) ? readdirSync(join(repoDir(), 'blobs')) : [];
    assert.deepEqual(blobs, [], 'no blob, no partial file, no resume record');
  });

  it('refuses when the disk is too small, with needed vs free', async () => {
    await assert.rejects(pullSnapshot(all(), options({ freeBytes: async () => 1000 })), /needs [\d.]+ MiB, 1 KiB is free at/);
    assert.equal(hub.requests({ kind: 'blob' }).length, 0);
  });

  it('two pulls of the same model at once download each blob once', async () => {
    const [a, b] = await Promise.all([pullSnapshot(all(), options()), pullSnapshot(all(), options())]);
    await hub.idle();
    assert.equal(a.commit, b.commit);
    assert.equal(hub.bytesServed('big.bin'), BIG);
    assert.equal(hub.bytesServed('model.safetensors'), weights.length);
    assert.deepEqual(readFileSync(join(repoDir(), 'snapshots', MAIN, 'big.bin')), bigContent);
  });

  it('a split GGUF named by its first part brings every part (a profile artifact or hf:ORG/REPO/FILE)', async () => {
    const target = pullTargetForRef('hf:acme/gguf/Q8_0/model-Q8_0-00001-of-00002.gguf');
    assert.ok(target.kind === 'hf');
    const result = await pullSnapshot({ repo: target.repo, revision: target.revision, selection: target.selection }, options());
    assert.deepEqual(result.files.map((f) => f.path), ['Q8_0/model-Q8_0-00001-of-00002.gguf', 'Q8_0/model-Q8_0-00002-of-00002.gguf']);
    assert.deepEqual(ggufParts('a/b.gguf'), ['a/b.gguf']);
  });

  it('selects a GGUF quantization: the plain file, or all parts of a split one', async () => {
    const q4 = await pullSnapshot({ repo: 'acme/gguf', revision: 'main', selection: { kind: 'quant', quant: 'Q4_K_M' } }, options());
    assert.deepEqual(q4.files.map((f) => f.path), ['model-Q4_K_M.gguf']);
    const q8 = await pullSnapshot({ repo: 'acme/gguf', revision: 'main', selection: { kind: 'quant', quant: 'q8_0' } }, options());
    assert.deepEqual(q8.files.map((f) => f.path), ['Q8_0/model-Q8_0-00001-of-00002.gguf', 'Q8_0/model-Q8_0-00002-of-00002.gguf']);
    await assert.rejects(pullSnapshot({ repo: 'acme/gguf', revision: 'main', selection: { kind: 'quant', quant: 'Q5_K_M' } }, options()), /no GGUF file for quantization Q5_K_M[\s\S]*/);
  });

  it('offline mode answers from the cache, and says what is missing', async () => {
    await pullSnapshot(one('model.safetensors'), options());
    hub.reset();
    const offline = await pullSnapshot(one('model.safetensors'), options({ offline: true }));
    assert.equal(realpathSync(offline.files[0]!.localPath), join(realpathSync(repoDir()), 'blobs', sha256Hex(weights)));
    assert.equal(hub.log.length, 0, 'no network at all');
    await assert.rejects(pullSnapshot(one('big.bin'), options({ offline: true })), (e: DevstralError) => /HF_HUB_OFFLINE is set/.test(e.message) && /unset HF_HUB_OFFLINE/.test(e.hint!));
    await assert.rejects(pullSnapshot(all('acme/gguf'), options({ offline: true })), /HF_HUB_OFFLINE is set and revision main of acme\/gguf is not in the cache/);
  });
});

describe('hub errors', () => {
  const cases: [string, () => Promise<unknown>, RegExp, RegExp][] = [
    ['gated without a token', () => pullSnapshot(all('acme/gated'), options()), /acme\/gated is gated/, /accept the terms.*set HF_TOKEN/],
    ['gated with a token lacking access', () => pullSnapshot(all('acme/gated'), options({ token: 'hf_other' })), /acme\/gated is gated/, /check that HF_TOKEN/],
    ['gated, one file (the HEAD path)', () => pullSnapshot(one('w.bin', 'acme/gated'), options()), /acme\/gated is gated/, /accept the terms.*set HF_TOKEN/],
    ['a repo that does not exist, one file', () => pullSnapshot(one('config.json', 'acme/nothing'), options()), /repository acme\/nothing not found, or it is private/, /check the name/],
    ['a revision that does not exist, one file', () => pullSnapshot({ ...one('config.json'), revision: 'v9' }, options()), /acme\/model has no revision "v9"/, /branches, tags/],
    ['a repo that does not exist', () => pullSnapshot(all('acme/nothing'), options()), /repository acme\/nothing not found, or it is private/, /check the name/],
    ['a revision that does not exist', () => pullSnapshot({ ...all(), revision: 'v9' }, options()), /acme\/model has no revision "v9"/, /branches, tags/],
    ['a file that does not exist', () => pullSnapshot(one('missing.json'), options()), /acme\/model has no file missing\.json at revision main/, /see the files at .*acme\/model\/tree\/main/],
    ['files that do not exist', () => pullSnapshot({ ...one('missing.json'), selection: { kind: 'paths', required: ['config.json', 'missing.json'] } }, options()), /acme\/model@main has no missing\.json/, /file name/],
  ];
  for (const [name, run, message, hint] of cases) {
    it(name, async () => {
      await assert.rejects(run(), (e: DevstralError) => {
        assert.ok(e instanceof DevstralError, String(e));
        assert.equal(e.exitCode, 6);
        assert.match(e.message, message);
        assert.match(e.hint ?? '', hint);
        return true;
      });
    });
  }

  it('an unreachable hub says so and points at offline mode', async () => {
    const client = new HubClient({ endpoint: 'http://127.0.0.1:9' });
    await assert.rejects(pullSnapshot(all(), { ...options(), client }), (e: DevstralError) => /cannot reach http:\/\/127\.0\.0\.1:9/.test(e.message) && /HF_HUB_OFFLINE=1/.test(e.hint!));
  });
});
