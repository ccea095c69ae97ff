// Proves the fake Hugging Face hub (test/support/fakeHfServer.ts) with plain fetch: every endpoint, error code and fault.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import {
  gitBlobSha1,
  lfsPointer,
  patternGenerator,
  randomSha,
  sha256Hex,
  startFakeHfServer,
  type FakeHfServer,
} from '../support/fakeHfServer.js';

const TOKEN = 'hf_good';
const MAIN = randomSha();
const V1 = randomSha();
const PR = randomSha();

const config = Buffer.from('{"model_type":"mistral"}\n');
const tokenizer = Buffer.from('{"tokens":["a","b"]}');
const spaced = Buffer.from('file with a space in its name');
const weights = randomBytes(300_000); // LFS, held in memory
const BIG_SIZE = 5 * 1024 * 1024 + 123; // LFS, generated, sha256 computed lazily
const bigGenerate = patternGenerator(7);
const bigContent = bigGenerate(0, BIG_SIZE);

/** Reads a response body, returning what arrived before any error. */
async function readBody(res: Response): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk));
    return { bytes: Buffer.concat(chunks), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('fakeHfServer helpers', () => {
  it('gitBlobSha1, sha256Hex, randomSha and lfsPointer match git and git-lfs', () => {
    assert.equal(gitBlobSha1(Buffer.from('hello\n')), 'ce013625030ba8dba906f756967f9e9ca394464a'); // git hash-object
    assert.equal(gitBlobSha1(Buffer.alloc(0)), 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
    assert.equal(sha256Hex(Buffer.alloc(0)), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.match(randomSha(), /^[0-9a-f]{40}$/);
    assert.notEqual(randomSha(), randomSha());
    assert.equal(lfsPointer('a'.repeat(64), 123_456_789).length, 134); // a 9-digit size gives the usual pointerSize
  });

  it('patternGenerator is deterministic, chunking-independent and not periodic', () => {
    const gen = patternGenerator(42);
    const whole = gen(0, 300_000);
    assert.deepEqual(patternGenerator(42)(0, 300_000), whole);
    const pieces = Buffer.concat([gen(0, 7), gen(7, 65_530), gen(65_537, 100_000), gen(165_537, 134_463)]);
    assert.deepEqual(pieces, whole);
    assert.notDeepEqual(whole.subarray(0, 65_536), whole.subarray(65_536, 131_072)); // blocks differ
    assert.notDeepEqual(patternGenerator(43)(0, 1000), gen(0, 1000));
    assert.equal(gen(3_000_000_000, 16).length, 16); // offsets past 2^31 work
  });
});

describe('fakeHfServer', () => {
  let hub: FakeHfServer;
  let weightsSha: string;
  let bigSha: string;

  before(async () => {
    hub = await startFakeHfServer({
      tokens: [TOKEN],
      pageSize: 50,
      repos: {
        'org/public': {
          revisions: { main: MAIN, v1: V1, 'refs/pr/1': PR },
          files: [
            { path: 'config.json', lfs: false, content: config },
            { path: 'nested/dir/tokenizer.json', lfs: false, content: tokenizer },
            { path: 'with space.txt', lfs: false, content: spaced },
            { path: 'weights/model.safetensors', lfs: true, content: weights },
            { path: 'big.bin', lfs: true, size: BIG_SIZE, generate: bigGenerate },
          ],
        },
        'org/many': {
          revisions: { main: MAIN },
          files: Array.from({ length: 120 }, (_, i) => ({
            path: `shards/part-${String(i).padStart(3, '0')}.txt`,
            lfs: false,
            content: Buffer.from(`part ${i}`),
          })),
        },
        'org/gated': {
          revisions: { main: MAIN },
          gated: true,
          files: [{ path: 'config.json', lfs: false, content: config }],
        },
        'org/private': {
          revisions: { main: MAIN },
          private: true,
          files: [{ path: 'config.json', lfs: false, content: config }],
        },
      },
    });
    weightsSha = sha256Hex(weights);
    bigSha = sha256Hex(bigContent);
  });
  after(() => hub.close());

  const api = (path: string, init?: RequestInit) => fetch(`${hub.url}${path}`, init);

  describe('model info', () => {
    it('GET /api/models/{repo}/revision/{rev} returns sha and siblings', async () => {
      const res = await api('/api/models/org/public/revision/main');
      assert.equal(res.status, 200);
      const info = (await res.json()) as { id: string; sha: string; siblings: Array<{ rfilename: string }> };
      assert.equal(info.id, 'org/public');
      assert.equal(info.sha, MAIN);
      assert.deepEqual(
        info.siblings.map((s) => s.rfilename),
        ['config.json', 'nested/dir/tokenizer.json', 'with space.txt', 'weights/model.safetensors', 'big.bin'],
      );
    });

    it('resolves other branches, encoded refs, commit shas, and /api/models/{repo} means main', async () => {
      const sha = async (path: string) => ((await (await api(path)).json()) as { sha: string }).sha;
      assert.equal(await sha('/api/models/org/public/revision/v1'), V1);
      assert.equal(await sha(`/api/models/org/public/revision/${encodeURIComponent('refs/pr/1')}`), PR);
      assert.equal(await sha(`/api/models/org/public/revision/${V1}`), V1);
      assert.equal(await sha('/api/models/org/public'), MAIN);
    });

    it('?blobs=true adds size, blobId and lfs {sha256, size, pointerSize}', async () => {
      const info = (await (await api('/api/models/org/public/revision/main?blobs=true')).json()) as {
        siblings: Array<{ rfilename: string; size: number; blobId: string; lfs?: { sha256: string; size: number; pointerSize: number } }>;
      };
      const byName = new Map(info.siblings.map((s) => [s.rfilename, s]));
      assert.deepEqual(byName.get('config.json'), { rfilename: 'config.json', blobId: gitBlobSha1(config), size: config.length });
      const pointer = lfsPointer(weightsSha, weights.length);
      assert.deepEqual(byName.get('weights/model.safetensors'), {
        rfilename: 'weights/model.safetensors',
        blobId: gitBlobSha1(pointer),
        size: weights.length,
        lfs: { sha256: weightsSha, size: weights.length, pointerSize: pointer.length },
      });
      assert.equal(byName.get('big.bin')?.lfs?.sha256, bigSha); // lazily hashed from the generator
    });

    it('an unknown revision is 404 RevisionNotFound with X-Error-Message', async () => {
      const res = await api('/api/models/org/public/revision/nope');
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('x-error-code'), 'RevisionNotFound');
      assert.match(res.headers.get('x-error-message') ?? '', /nope/);
    });
  });

  describe('tree', () => {
    type Entry = { type: string; path: string; oid: string; size: number; lfs?: { oid: string; size: number; pointerSize: number } };

    it('lists files and directories recursively with git oids and lfs info', async () => {
      const res = await api(`/api/models/org/public/tree/main?recursive=true`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('link'), null); // one page
      const entries = (await res.json()) as Entry[];
      assert.deepEqual(
        entries.map((e) => `${e.type}:${e.path}`),
        [
          'file:big.bin',
          'file:config.json',
          'directory:nested',
          'directory:nested/dir',
          'file:nested/dir/tokenizer.json',
          'directory:weights',
          'file:weights/model.safetensors',
          'file:with space.txt',
        ],
      );
      const byPath = new Map(entries.map((e) => [e.path, e]));
      assert.deepEqual(byPath.get('config.json'), { type: 'file', oid: gitBlobSha1(config), size: config.length, path: 'config.json' });
      const weightsEntry = byPath.get('weights/model.safetensors');
      assert.equal(weightsEntry?.size, weights.length);
      assert.equal(weightsEntry?.oid, gitBlobSha1(lfsPointer(weightsSha, weights.length))); // git stores the pointer
      assert.deepEqual(weightsEntry?.lfs, { oid: weightsSha, size: weights.length, pointerSize: 134 - 3 }); // 6-digit size
      assert.deepEqual(byPath.get('big.bin')?.lfs, { oid: bigSha, size: BIG_SIZE, pointerSize: 132 });
      const dir = byPath.get('nested');
      assert.equal(dir?.size, 0);
      assert.match(dir?.oid ?? '', /^[0-9a-f]{40}$/);
    });

    it('lists a sub-path, recursively or not', async () => {
      const list = async (path: string) =>
        ((await (await api(path)).json()) as Entry[]).map((e) => `${e.type}:${e.path}`);
      assert.deepEqual(await list('/api/models/org/public/tree/main/nested?recursive=true'), [
        'directory:nested/dir',
        'file:nested/dir/tokenizer.json',
      ]);
      assert.deepEqual(await list('/api/models/org/public/tree/main/nested'), ['directory:nested/dir']);
      assert.deepEqual(await list('/api/models/org/public/tree/main'), [
        'file:big.bin',
        'file:config.json',
        'directory:nested',
        'directory:weights',
        'file:with space.txt',
      ]);
      const missing = await api('/api/models/org/public/tree/main/nowhere?recursive=true');
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('x-error-code'), 'EntryNotFound');
    });

    it('paginates with an absolute RFC 5988 Link rel="next"', async () => {
      const paths: string[] = [];
      const pageSizes: number[] = [];
      let next: string | undefined = `${hub.url}/api/models/org/many/tree/main?recursive=true`;
      for (let pages = 0; next !== undefined; pages++) {
        assert.ok(pages < 10, 'pagination does not end');
        const current: string = next;
        const res = await fetch(current);
        assert.equal(res.status, 200);
        const page = (await res.json()) as Entry[];
        pageSizes.push(page.length);
        paths.push(...page.map((e) => e.path));
        const link = res.headers.get('link');
        next = link === null ? undefined : /^<([^>]+)>;\s*rel="next"$/.exec(link)?.[1];
        if (link !== null) {
          assert.ok(next?.startsWith(`${hub.url}/api/models/org/many/tree/main?`), link);
          assert.equal(new URL(next ?? '').searchParams.get('recursive'), 'true'); // query kept
        }
      }
      assert.deepEqual(pageSizes, [50, 50, 21]); // 120 files + the 'shards' directory
      const logged = hub.requests({ kind: 'tree' }).slice(-3);
      assert.deepEqual(logged.map((r) => r.query.recursive), ['true', 'true', 'true']);
      assert.equal(logged[0]?.query.cursor, undefined);
      assert.ok(logged[1]?.query.cursor && logged[2]?.query.cursor);
      assert.equal(new Set(paths).size, 121);
      assert.ok(paths.includes('shards') && paths.includes('shards/part-119.txt'));
    });
  });

  describe('resolve', () => {
    const resolveUrl = (path: string, rev = 'main') => `${hub.url}/org/public/resolve/${rev}/${path}`;

    it('HEAD on an LFS file: 302 to the CDN with X-Repo-Commit, X-Linked-Etag, X-Linked-Size', async () => {
      const res = await fetch(resolveUrl('weights/model.safetensors'), { method: 'HEAD', redirect: 'manual' });
      assert.equal(res.status, 302);
      const location = res.headers.get('location') ?? '';
      assert.ok(location.startsWith(`${hub.cdnUrl}/blobs/${weightsSha}?sig=`), location);
      assert.equal(location, hub.blobUrl(weightsSha));
      assert.equal(res.headers.get('x-repo-commit'), MAIN);
      assert.equal(res.headers.get('x-linked-etag'), `"${weightsSha}"`);
      assert.equal(res.headers.get('x-linked-size'), String(weights.length));
      assert.equal(res.headers.get('etag'), `"${gitBlobSha1(lfsPointer(weightsSha, weights.length))}"`);
      assert.notEqual(new URL(location).host, new URL(hub.url).host); // another origin
    });

    it('GET on an LFS file redirects too; following it (fetch drops Authorization cross-origin) gets the bytes', async () => {
      const manual = await fetch(resolveUrl('weights/model.safetensors', V1), { redirect: 'manual' });
      assert.equal(manual.status, 302);
      assert.equal(manual.headers.get('x-repo-commit'), V1);

      hub.reset();
      const res = await fetch(resolveUrl('weights/model.safetensors'), { headers: bearer(TOKEN) });
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), weights);
      await hub.idle();
      const [resolveReq, blobReq] = hub.log;
      assert.equal(resolveReq?.authorization, `Bearer ${TOKEN}`);
      assert.equal(blobReq?.kind, 'blob');
      assert.equal(blobReq?.sentAuthorization, false);
      assert.equal(hub.bytesServed('weights/model.safetensors'), weights.length);
      assert.equal(hub.bytesServed(weightsSha), weights.length);
    });

    it('GET on a regular file: 200 with ETag (git sha1), X-Repo-Commit, Content-Length; HEAD has no body', async () => {
      const res = await fetch(resolveUrl('config.json'));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('etag'), `"${gitBlobSha1(config)}"`);
      assert.equal(res.headers.get('x-repo-commit'), MAIN);
      assert.equal(res.headers.get('content-length'), String(config.length));
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), config);

      hub.reset();
      const head = await fetch(resolveUrl('config.json'), { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(config.length));
      assert.equal((await head.arrayBuffer()).byteLength, 0);
      await hub.idle();
      assert.equal(hub.log[0]?.bytesSent, 0);
    });

    it('serves nested and percent-encoded paths, and Range on regular files', async () => {
      assert.deepEqual(Buffer.from(await (await fetch(resolveUrl('nested/dir/tokenizer.json'))).arrayBuffer()), tokenizer);
      assert.deepEqual(Buffer.from(await (await fetch(resolveUrl('with%20space.txt'))).arrayBuffer()), spaced);
      const res = await fetch(resolveUrl('config.json'), { headers: { Range: 'bytes=2-5' } });
      assert.equal(res.status, 206);
      assert.equal(res.headers.get('content-range'), `bytes 2-5/${config.length}`);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), config.subarray(2, 6));
    });

    it('unknown file 404 EntryNotFound, unknown revision 404 RevisionNotFound', async () => {
      const missing = await fetch(resolveUrl('nope.bin'));
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('x-error-code'), 'EntryNotFound');
      const badRev = await fetch(resolveUrl('config.json', 'nope'), { method: 'HEAD' });
      assert.equal(badRev.status, 404);
      assert.equal(badRev.headers.get('x-error-code'), 'RevisionNotFound');
    });
  });

  describe('CDN', () => {
    const blob = (init?: RequestInit) => fetch(hub.blobUrl(bigSha), init);

    it('full GET: 200, Accept-Ranges, Content-Length, right bytes', async () => {
      const res = await blob();
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('accept-ranges'), 'bytes');
      assert.equal(res.headers.get('content-length'), String(BIG_SIZE));
      assert.equal(sha256Hex(Buffer.from(await res.arrayBuffer())), bigSha);
    });

    it('Range bytes=a-b, bytes=a- and bytes=-n give 206 with Content-Range', async () => {
      const cases: Array<[string, number, number]> = [
        ['bytes=100-199', 100, 200],
        [`bytes=${BIG_SIZE - 10}-`, BIG_SIZE - 10, BIG_SIZE],
        ['bytes=-5', BIG_SIZE - 5, BIG_SIZE],
        [`bytes=0-${BIG_SIZE + 1000}`, 0, BIG_SIZE], // end clamped
      ];
      for (const [range, start, end] of cases) {
        const res = await blob({ headers: { Range: range } });
        assert.equal(res.status, 206, range);
        assert.equal(res.headers.get('content-range'), `bytes ${start}-${end - 1}/${BIG_SIZE}`);
        assert.equal(res.headers.get('content-length'), String(end - start));
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), bigContent.subarray(start, end), range);
      }
    });

    it('416 for an unsatisfiable range', async () => {
      const res = await blob({ headers: { Range: `bytes=${BIG_SIZE}-` } });
      assert.equal(res.status, 416);
      assert.equal(res.headers.get('content-range'), `bytes */${BIG_SIZE}`);
      await res.arrayBuffer();
    });

    it('rejects Authorization with 403 and records it; rejects a bad signature; 404 for an unknown blob', async () => {
      hub.reset();
      const withToken = await blob({ headers: bearer(TOKEN) });
      assert.equal(withToken.status, 403);
      await withToken.arrayBuffer();
      const rejected = hub.requests({ server: 'cdn', errorCode: 'AuthorizationOnSignedUrl' });
      assert.equal(rejected.length, 1);
      assert.equal(rejected[0]?.authorization, `Bearer ${TOKEN}`);

      // A client following the redirect by hand and keeping the token gets the same 403.
      const location = (await fetch(`${hub.url}/org/public/resolve/main/big.bin`, { redirect: 'manual' })).headers.get('location');
      assert.equal((await fetch(location ?? '', { headers: bearer(TOKEN) })).status, 403);
      assert.equal(hub.requests({ errorCode: 'AuthorizationOnSignedUrl' }).length, 2);

      const unsigned = await fetch(`${hub.cdnUrl}/blobs/${bigSha}`);
      assert.equal(unsigned.status, 403);
      assert.equal(hub.requests({ errorCode: 'InvalidSignature' }).length, 1);
      const unknown = await fetch(hub.blobUrl('0'.repeat(64)));
      assert.equal(unknown.status, 404);
      await Promise.all([unsigned.arrayBuffer(), unknown.arrayBuffer()]);
    });
  });

  describe('faults', () => {
    const blob = (init?: RequestInit) => fetch(hub.blobUrl(bigSha), init);

    it('ignoreRange answers 200 with the full body', async () => {
      hub.setFault({ ignoreRange: true });
      try {
        const res = await blob({ headers: { Range: 'bytes=1000-' } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-range'), null);
        assert.equal(sha256Hex(Buffer.from(await res.arrayBuffer())), bigSha);
      } finally {
        hub.setFault(undefined);
      }
    });

    it('dropAfterBytes cuts the body after exactly n bytes; a resume fetches only the rest', async () => {
      hub.reset();
      const n = 1_234_567;
      hub.setFault([{ dropAfterBytes: n }]);
      const first = await blob();
      assert.equal(first.status, 200);
      const { bytes, error } = await readBody(first);
      assert.ok(error, 'the body must fail');
      assert.equal(bytes.length, n);
      assert.deepEqual(bytes, bigContent.subarray(0, n));

      const rest = await blob({ headers: { Range: `bytes=${n}-` } }); // the queue is empty now
      assert.equal(rest.status, 206);
      const tail = Buffer.from(await rest.arrayBuffer());
      assert.equal(sha256Hex(Buffer.concat([bytes, tail])), bigSha);

      await hub.idle();
      assert.deepEqual(
        hub.requests({ kind: 'blob' }).map((r) => [r.status, r.outcome, r.bytesSent]),
        [
          [200, 'dropped', n],
          [206, 'complete', BIG_SIZE - n],
        ],
      );
      assert.equal(hub.bytesServed('big.bin'), BIG_SIZE); // not one byte fetched twice
    });

    it('dropAfterBytes: 0 sends the head only', async () => {
      hub.setFault([{ dropAfterBytes: 0 }]);
      const res = await blob();
      const { bytes, error } = await readBody(res);
      assert.ok(error);
      assert.equal(bytes.length, 0);
    });

    it('corrupt flips one byte in the middle of the body', async () => {
      hub.reset();
      hub.setFault([{ corrupt: true }]);
      const res = await blob({ headers: { Range: 'bytes=1000-' } });
      const body = Buffer.from(await res.arrayBuffer());
      const expected = bigContent.subarray(1000);
      assert.equal(body.length, expected.length);
      const diffs: number[] = [];
      for (let i = 0; i < body.length; i++) if (body[i] !== expected[i]) diffs.push(i);
      const at = 1000 + Math.floor(expected.length / 2);
      assert.deepEqual(diffs, [at - 1000]);
      assert.equal(body[at - 1000], expected[at - 1000]! ^ 0xff);
      assert.equal(hub.log[0]?.corruptedOffset, at);
      assert.deepEqual(bigGenerate(0, 16), bigContent.subarray(0, 16)); // the source is untouched
    });

    it('status faults: a queue is consumed one per request; a rule sees the attempt number', async () => {
      hub.reset();
      hub.setFault([{ status: 500 }, { status: 429, headers: { 'Retry-After': '1' } }]);
      const a = await blob();
      const b = await blob();
      const c = await blob({ headers: { Range: 'bytes=0-9' } });
      assert.deepEqual([a.status, b.status, c.status], [500, 429, 206]);
      assert.equal(b.headers.get('retry-after'), '1');
      await Promise.all([a.arrayBuffer(), b.arrayBuffer(), c.arrayBuffer()]);

      hub.reset();
      hub.setFault((req) => (req.attempt === 1 ? { status: 503 } : undefined));
      try {
        assert.equal((await blob({ headers: { Range: 'bytes=0-0' } })).status, 503);
        const second = await blob({ headers: { Range: 'bytes=0-0' } });
        assert.equal(second.status, 206);
        await second.arrayBuffer();
        assert.deepEqual(hub.requests({ kind: 'blob' }).map((r) => r.attempt), [1, 2]);
        assert.ok(hub.log.every((r) => r.connectionIndex >= 0));
      } finally {
        hub.setFault(undefined);
      }
    });

    it('faults default to bodies: the LFS redirect is untouched unless on: "resolve"', async () => {
      hub.reset();
      hub.setFault([{ status: 500 }]);
      const res = await fetch(`${hub.url}/org/public/resolve/main/big.bin`, { headers: { Range: 'bytes=0-99' } });
      assert.equal(res.status, 500); // the redirect passed, the CDN GET took the fault
      await res.arrayBuffer();
      assert.deepEqual(hub.log.map((r) => [r.kind, r.status]), [['resolve', 302], ['blob', 500]]);

      hub.setFault([{ on: 'resolve', status: 502 }]);
      const head = await fetch(`${hub.url}/org/public/resolve/main/big.bin`, { method: 'HEAD', redirect: 'manual' });
      assert.equal(head.status, 502);
      hub.setFault([{ dropAfterBytes: 3 }]); // non-LFS /resolve bodies take body faults too
      const { bytes, error } = await readBody(await fetch(`${hub.url}/org/public/resolve/main/config.json`));
      assert.ok(error);
      assert.deepEqual(bytes, config.subarray(0, 3));
    });

    it('stallAfterBytes sends n bytes then nothing until the client gives up', async () => {
      hub.reset();
      hub.setFault([{ stallAfterBytes: 1000 }]);
      const controller = new AbortController();
      const res = await blob({ signal: controller.signal });
      const reader = res.body!.getReader();
      let received = 0;
      while (received < 1000) {
        const { value, done } = await reader.read();
        assert.ok(!done);
        received += value.length;
      }
      assert.equal(received, 1000);
      // Nothing more comes: a client-side timeout wins the race (the server would wait forever).
      const timedOut = Symbol('timeout');
      const next = await Promise.race([reader.read(), new Promise((resolve) => setTimeout(resolve, 200, timedOut))]);
      assert.equal(next, timedOut);
      controller.abort();
      await hub.idle();
      assert.equal(hub.log[0]?.outcome, 'stalled');
      assert.equal(hub.log[0]?.bytesSent, 1000);
    });

    it('close() ends stalled connections so nothing hangs', async () => {
      const own = await startFakeHfServer({
        repos: { 'a/b': { revisions: { main: MAIN }, files: [{ path: 'x.bin', lfs: true, content: randomBytes(100_000) }] } },
      });
      own.setFault({ stallAfterBytes: 10 });
      const res = await fetch(`${own.url}/a/b/resolve/main/x.bin`);
      const reading = readBody(res);
      await own.idle(); // the response is stalled
      await own.close();
      const { bytes, error } = await reading;
      assert.ok(error);
      assert.equal(bytes.length, 10);
    });

    it('rateBytesPerSecPerConnection throttles every file body', async () => {
      const content = randomBytes(300_000);
      const own = await startFakeHfServer({
        rateBytesPerSecPerConnection: 4_000_000,
        repos: { 'a/b': { revisions: { main: MAIN }, files: [{ path: 'x.bin', lfs: true, content }] } },
      });
      try {
        const started = performance.now();
        const res = await fetch(`${own.url}/a/b/resolve/main/x.bin`);
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), content);
        console.log(`# 300 kB at 4 MB/s per connection in ${((performance.now() - started) / 1000).toFixed(3)} s`);
        await own.idle();
        assert.equal(own.bytesServed('x.bin'), content.length);
        assert.deepEqual(await own.fileInfo('a/b', 'x.bin'), {
          repo: 'a/b',
          path: 'x.bin',
          size: content.length,
          lfs: true,
          sha256: sha256Hex(content),
          gitOid: gitBlobSha1(lfsPointer(sha256Hex(content), content.length)),
        });
      } finally {
        await own.close();
      }
    });

    it('rateBytesPerSec throttles but delivers the same bytes', async () => {
      hub.setFault([{ rateBytesPerSec: 2_000_000 }]);
      const started = performance.now();
      const res = await blob({ headers: { Range: 'bytes=0-199999' } });
      const body = Buffer.from(await res.arrayBuffer());
      const seconds = (performance.now() - started) / 1000;
      assert.deepEqual(body, bigContent.subarray(0, 200_000));
      console.log(`# throttled 200 kB at 2 MB/s in ${seconds.toFixed(3)} s`);
    });
  });

  describe('auth', () => {
    const expectError = async (res: Response, status: number, code: string) => {
      assert.equal(res.status, status, `${res.url}`);
      assert.equal(res.headers.get('x-error-code'), code);
      await res.arrayBuffer();
    };
    const endpoints = (repo: string) => [
      `/api/models/${repo}/revision/main`,
      `/api/models/${repo}/tree/main?recursive=true`,
      `/${repo}/resolve/main/config.json`,
    ];

    it('gated: 401 GatedRepo without a token, 403 with an unknown token, 200 with a granted one', async () => {
      for (const path of endpoints('org/gated')) {
        await expectError(await api(path), 401, 'GatedRepo');
        const denied = await api(path, { headers: bearer('hf_other') });
        assert.equal(
          denied.headers.get('x-error-message'),
          'Access to model org/gated is restricted and you are not in the authorized list. Visit https://huggingface.co/org/gated to ask for access.',
        );
        await expectError(denied, 403, 'GatedRepo');
        const ok = await api(path, { headers: bearer(TOKEN) });
        assert.equal(ok.status, 200, path);
        await ok.arrayBuffer();
      }
    });

    it('private and unknown repos: 401 RepoNotFound without a valid token', async () => {
      for (const path of [...endpoints('org/private'), ...endpoints('org/missing')]) {
        await expectError(await api(path), 401, 'RepoNotFound');
        await expectError(await api(path, { headers: bearer('hf_other') }), 401, 'RepoNotFound');
      }
      for (const path of endpoints('org/private')) {
        const ok = await api(path, { headers: bearer(TOKEN) });
        assert.equal(ok.status, 200, path);
        await ok.arrayBuffer();
      }
      await expectError(await api('/api/models/org/missing/revision/main', { headers: bearer(TOKEN) }), 404, 'RepoNotFound');
    });

    it('setRepo moves a branch to a new commit', async () => {
      const next = randomSha();
      hub.setRepo('org/private', {
        revisions: { main: next },
        files: [{ path: 'config.json', lfs: false, content: config }],
      });
      const res = await api('/org/private/resolve/main/config.json', { method: 'HEAD' }); // no longer private
      assert.equal(res.headers.get('x-repo-commit'), next);
    });
  });
});

// The reader runs in a worker thread so that it does not share the server's event loop (fetch in the same thread
// roughly halves the rate on a small machine). It returns the byte count and a sample of the body every 256 MiB.
const READER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const res = await fetch(workerData.url);
  const started = performance.now();
  let received = 0, nextSample = 0;
  const samples = [];
  for await (const chunk of res.body) {
    if (received + chunk.byteLength > nextSample) {
      samples.push({ offset: received, bytes: Buffer.from(chunk) });
      nextSample += 256 * 1024 * 1024;
    }
    received += chunk.byteLength;
  }
  parentPort.postMessage({ status: res.status, received, seconds: (performance.now() - started) / 1000, samples });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

interface ReaderResult {
  status: number;
  received: number;
  seconds: number;
  samples: Array<{ offset: number; bytes: Uint8Array }>;
  error?: string;
}

function readInWorker(url: string): Promise<ReaderResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(READER, { eval: true, workerData: { url } });
    worker.once('message', (result: ReaderResult) => {
      void worker.terminate();
      if (result.error) reject(new Error(result.error));
      else resolve(result);
    });
    worker.once('error', reject);
  });
}

describe('fakeHfServer throughput', () => {
  const SIZE = 2 * 1024 ** 3;
  let hub: FakeHfServer;
  before(async () => {
    hub = await startFakeHfServer({
      repos: {
        'org/huge': {
          revisions: { main: MAIN },
          files: [{ path: 'model.safetensors', lfs: true, size: SIZE, generate: patternGenerator(99) }],
        },
      },
    });
  });
  after(() => hub.close());

  it('streams a 2 GB generated file to one reader', async () => {
    const started = performance.now();
    const head = await fetch(`${hub.url}/org/huge/resolve/main/model.safetensors`, { method: 'HEAD', redirect: 'manual' });
    assert.equal(head.headers.get('x-linked-size'), String(SIZE));
    console.log(`# lazy sha256 of 2 GiB: ${((performance.now() - started) / 1000).toFixed(2)} s`);

    const result = await readInWorker(head.headers.get('location') ?? '');
    assert.equal(result.status, 200);
    assert.equal(result.received, SIZE);
    console.log(`# 2 GiB to one reader in ${result.seconds.toFixed(2)} s = ${(SIZE / 1e6 / result.seconds).toFixed(0)} MB/s`);

    const generate = patternGenerator(99);
    assert.equal(result.samples.length, 8);
    for (const { offset, bytes } of result.samples) {
      assert.deepEqual(Buffer.from(bytes), generate(offset, bytes.byteLength), `sample at ${offset}`);
    }
    await hub.idle();
    assert.equal(hub.bytesServed('model.safetensors'), SIZE);
  });
});
