/**
 * A fake Hugging Face Hub for download tests (node:http + node:crypto only, 127.0.0.1, no internet).
 *
 * Two servers:
 *  - the hub (`url`): /api/models/{org}/{name}[/revision/{rev}], /api/models/{org}/{name}/tree/{rev}[/{path}],
 *    HEAD|GET /{org}/{name}/resolve/{rev}/{path}. Auth and X-Error-Code headers as the real hub sends them.
 *  - the CDN (`cdnUrl`, another port so another origin): GET|HEAD /blobs/{sha256}?sig=… for LFS files. It answers 403
 *    to any request carrying Authorization (a signed URL must not get the token) and to a missing or wrong `sig`.
 *
 * As on the real hub, a tree entry's `oid` (and a sibling's `blobId`) is the git blob sha1 of what git stores:
 * the content for a regular file, the LFS pointer file for an LFS file. The sha256 of LFS content is in `lfs.oid`
 * (tree), `lfs.sha256` (?blobs=true) and `X-Linked-Etag` (resolve).
 *
 * Every request is recorded in `log`. `bytesSent` counts body bytes the socket accepted, so after `await idle()`
 * a test can assert exactly how many bytes a download (or a resume) fetched.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

// ---------------------------------------------------------------------------------------------------------------
// Public types

/** A file held in memory. `lfs: true` serves it through a CDN redirect, `lfs: false` straight from /resolve. */
export interface InlineFile {
  path: string;
  lfs: boolean;
  content: Buffer;
}

/** A big LFS file whose bytes are generated on demand; `generate` must be deterministic. */
export interface GeneratedFile {
  path: string;
  lfs: true;
  size: number;
  generate(offset: number, length: number): Buffer;
  /** sha256 of the whole content; computed once, lazily, by streaming `generate` when absent. */
  sha256?: string;
}

export type FakeFile = InlineFile | GeneratedFile;

export interface FakeRepo {
  /** Branch/tag name -> 40-hex commit sha. A revision may also be given as one of these commit shas. */
  revisions: Record<string, string>;
  gated?: boolean;
  private?: boolean;
  files: FakeFile[];
}

export interface FakeHfServerOptions {
  /** Keyed by repo id, 'org/name'. */
  repos: Record<string, FakeRepo>;
  /** Tokens accepted as `Authorization: Bearer <t>`; they grant access to every gated and private repo. */
  tokens?: string[];
  /** Tree listing page size (default 50). */
  pageSize?: number;
  /** Throttles every file body (CDN and /resolve) to this many bytes/s per response. */
  rateBytesPerSecPerConnection?: number;
}

/**
 * What to do to one response. Fields combine (e.g. `{ ignoreRange: true, dropAfterBytes: 10 }`).
 * Body faults (`drop…`, `stall…`, `corrupt`, `ignoreRange`, `rate…`) only bite on responses that carry file bytes.
 * A drop/stall count at or beyond the body length has no effect.
 */
export interface Fault {
  /**
   * Which requests the fault applies to:
   *  - 'body' (default): GETs that return file bytes: CDN blobs and non-LFS /resolve.
   *  - 'cdn': any CDN GET or HEAD.
   *  - 'resolve': any /resolve HEAD or GET, including the LFS redirect (only `status`/`headers` matter there).
   */
  on?: 'body' | 'cdn' | 'resolve';
  /** Answer with this status (and `headers`) and a small JSON body instead of the real response. */
  status?: number;
  headers?: Record<string, string>;
  /** Send the head and this many body bytes, then close the connection. */
  dropAfterBytes?: number;
  /** Send the head and this many body bytes, then nothing; the socket stays open until the client or close() ends it. */
  stallAfterBytes?: number;
  /** Flip (xor 0xff) one body byte, the one in the middle of the response body; `corruptedOffset` in the log says which. */
  corrupt?: boolean;
  /** Answer 200 with the full body even when a Range was asked for. */
  ignoreRange?: boolean;
  /** Throttle this response's body to this many bytes/s. */
  rateBytesPerSec?: number;
}

/** What a fault rule sees of a request. */
export interface FaultRequest {
  server: 'hub' | 'cdn';
  method: string;
  /** URL pathname, still percent-encoded. */
  path: string;
  /** The Range header as sent. */
  range: string | undefined;
  /** 1 for the first request with this server, method and path since start or reset(), 2 for the next… */
  attempt: number;
  /** 0-based index of the TCP connection on that server, in accept order. */
  connectionIndex: number;
}

export type FaultRule = (req: FaultRequest) => Fault | undefined;

/** The repo file a request was resolved to. */
export interface ServedFile {
  repo: string;
  path: string;
  size: number;
  lfs: boolean;
  /** sha256 of the content (LFS oid for LFS files). */
  sha256: string;
  /** Git blob sha1 of what git stores: content for regular files, the pointer for LFS files. */
  gitOid: string;
}

export interface LoggedRequest {
  id: number;
  server: 'hub' | 'cdn';
  kind: 'model-info' | 'tree' | 'resolve' | 'blob' | 'unknown';
  method: string;
  /** URL pathname, still percent-encoded. */
  path: string;
  query: Record<string, string>;
  range: string | undefined;
  sentAuthorization: boolean;
  authorization: string | undefined;
  connectionIndex: number;
  attempt: number;
  /** 0 until the response head is written. */
  status: number;
  /**
   * The X-Error-Code sent by the hub, or on the CDN: 'AuthorizationOnSignedUrl' (request carried Authorization),
   * 'InvalidSignature', 'NoSuchKey'.
   */
  errorCode: string | undefined;
  file: ServedFile | undefined;
  fault: Fault | undefined;
  /** Absolute file offset of the byte a `corrupt` fault flipped. */
  corruptedOffset: number | undefined;
  /** Body bytes the socket accepted. */
  bytesSent: number;
  /** 'pending' while the response is in progress. */
  outcome: 'pending' | 'complete' | 'dropped' | 'stalled' | 'aborted';
  /** Set when the fake server itself threw (it then answers 500 FakeServerError). */
  serverError: string | undefined;
}

export type RequestFilter =
  | ((request: LoggedRequest) => boolean)
  | Partial<
      Pick<
        LoggedRequest,
        'server' | 'kind' | 'method' | 'path' | 'range' | 'sentAuthorization' | 'status' | 'errorCode' | 'outcome'
      >
    >;

export interface FakeHfServer {
  /** Hub base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  /** CDN base URL, another port. */
  readonly cdnUrl: string;
  /** Live log of every request to either server; reset() empties it in place. */
  readonly log: LoggedRequest[];
  /**
   * One fault for every matching request until replaced, a queue consumed one per matching request
   * (the head waits until a request matches it), a rule asked on every request, or undefined to clear.
   */
  setFault(fault: Fault | Fault[] | FaultRule | undefined): void;
  /** Body bytes of 200/206 file responses whose file matches: path in repo, 'org/name/path', sha256, git oid or URL path. */
  bytesServed(pathOrSha: string): number;
  requests(filter?: RequestFilter): LoggedRequest[];
  /** Clears the log, attempt counters and faults. */
  reset(): void;
  /** Resolves once every response so far has completed, failed, dropped or stalled. */
  idle(): Promise<void>;
  /** The signed CDN URL the hub redirects to for this sha256. */
  blobUrl(sha256: string): string;
  /** Size and digests of a repo file (computes the sha256 of a generated file if needed). */
  fileInfo(repo: string, path: string): Promise<ServedFile>;
  /** Adds, replaces (e.g. to move `main` to a new commit) or, with undefined, removes a repo. */
  setRepo(id: string, repo: FakeRepo | undefined): void;
  /** Destroys every socket (stalled ones too) and closes both servers. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers for tests

export function sha256Hex(buf: Buffer | string): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Git blob id: sha1("blob <size>\0" + content). */
export function gitBlobSha1(buf: Buffer | string): string {
  const data = typeof buf === 'string' ? Buffer.from(buf) : buf;
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

/** A random 40-hex commit sha. */
export function randomSha(): string {
  return randomBytes(20).toString('hex');
}

/** The git-lfs pointer file git stores in place of an LFS file. */
export function lfsPointer(sha256: string, size: number): Buffer {
  return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`);
}

const PATTERN_BLOCK = 65_536;

/**
 * A fast deterministic `generate(offset, length)`: a 64 KiB pseudo-random block (from `seed`) repeated, with the
 * first 8 bytes of every block replaced by its index mixed with the seed, so no two blocks are equal and a
 * misplaced block changes the sha256. Any split into chunks yields the same bytes.
 */
export function patternGenerator(seed = 1): (offset: number, length: number) => Buffer {
  const base = Buffer.allocUnsafe(PATTERN_BLOCK);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < PATTERN_BLOCK; i += 4) {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    base.writeUInt32LE(x, i);
  }
  const stamp = Buffer.allocUnsafe(8);
  const seedMix = Math.imul(seed >>> 0, 0x85ebca6b) >>> 0;

  return (offset, length) => {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`patternGenerator: bad offset/length ${offset}/${length}`);
    }
    const out = Buffer.allocUnsafe(length);
    let written = 0;
    while (written < length) {
      const pos = offset + written;
      const block = Math.floor(pos / PATTERN_BLOCK);
      const within = pos - block * PATTERN_BLOCK;
      const n = Math.min(PATTERN_BLOCK - within, length - written);
      base.copy(out, written, within, within + n);
      if (within < 8) {
        stamp.writeUInt32LE((block % 0x1_0000_0000 ^ seedMix) >>> 0, 0);
        stamp.writeUInt32LE((Math.floor(block / 0x1_0000_0000) ^ ~seedMix) >>> 0, 4);
        stamp.copy(out, written, within, Math.min(8, within + n));
      }
      written += n;
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Files and repos

const CHUNK = 1 << 20; // body write size
const HASH_CHUNK = 8 << 20; // read size when hashing a generated file

interface Digest {
  sha256: string;
  gitOid: string;
  pointer: Buffer | undefined;
}

class StoredFile {
  readonly path: string;
  readonly lfs: boolean;
  readonly size: number;
  private digestPromise: Promise<Digest> | undefined;

  constructor(private readonly spec: FakeFile) {
    this.path = spec.path;
    this.lfs = spec.lfs;
    this.size = 'content' in spec ? spec.content.length : spec.size;
    if (!('content' in spec) && (spec as { lfs: boolean }).lfs !== true) {
      throw new Error(`fake hub: generated file ${spec.path} must be lfs`);
    }
  }

  read(offset: number, length: number): Buffer {
    if ('content' in this.spec) return this.spec.content.subarray(offset, offset + length);
    const chunk = this.spec.generate(offset, length);
    if (chunk.length !== length) {
      throw new Error(`fake hub: generate(${offset}, ${length}) for ${this.path} returned ${chunk.length} bytes`);
    }
    return chunk;
  }

  digest(): Promise<Digest> {
    this.digestPromise ??= this.computeDigest();
    return this.digestPromise;
  }

  private async computeDigest(): Promise<Digest> {
    const spec = this.spec;
    let sha256: string;
    if ('content' in spec) sha256 = sha256Hex(spec.content);
    else if (spec.sha256 !== undefined) sha256 = spec.sha256;
    else {
      const hash = createHash('sha256');
      for (let offset = 0; offset < this.size; offset += HASH_CHUNK) {
        hash.update(this.read(offset, Math.min(HASH_CHUNK, this.size - offset)));
        await new Promise<void>((resolve) => setImmediate(resolve)); // keep serving while hashing
      }
      sha256 = hash.digest('hex');
    }
    if (!this.lfs && 'content' in spec) return { sha256, gitOid: gitBlobSha1(spec.content), pointer: undefined };
    const pointer = lfsPointer(sha256, this.size);
    return { sha256, gitOid: gitBlobSha1(pointer), pointer };
  }
}

interface RepoState {
  id: string;
  spec: FakeRepo;
  files: Map<string, StoredFile>;
}

function buildRepo(id: string, spec: FakeRepo): RepoState {
  if (!/^[^/]+\/[^/]+$/.test(id)) throw new Error(`fake hub: repo id must be 'org/name', got '${id}'`);
  for (const [name, sha] of Object.entries(spec.revisions)) {
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`fake hub: ${id} revision ${name} is not a 40-hex sha: ${sha}`);
  }
  const files = new Map<string, StoredFile>();
  for (const file of spec.files) {
    if (file.path === '' || file.path.startsWith('/') || file.path.endsWith('/')) {
      throw new Error(`fake hub: bad file path '${file.path}' in ${id}`);
    }
    if (files.has(file.path)) throw new Error(`fake hub: duplicate file ${file.path} in ${id}`);
    files.set(file.path, new StoredFile(file));
  }
  return { id, spec, files };
}

function resolveRevision(repo: RepoState, revision: string): string | undefined {
  const named = repo.spec.revisions[revision];
  if (named !== undefined) return named;
  return Object.values(repo.spec.revisions).includes(revision) ? revision : undefined;
}

/** `Range: bytes=a-b | a- | -n` -> [start, endExclusive]; undefined = ignore the header (serve 200). */
function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined; // absent, malformed or multi-range
  const [, first = '', last = ''] = m;
  if (first === '') {
    if (last === '') return undefined;
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : [Math.max(0, size - suffix), size];
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return [start, last === '' ? size : Math.min(size, Number(last) + 1)];
}

// ---------------------------------------------------------------------------------------------------------------
// The server

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  entry: LoggedRequest;
  /** True once the response (or its socket) has closed. */
  closed: boolean;
  settle(): void;
}

type FaultSource =
  | { kind: 'none' }
  | { kind: 'fixed'; fault: Fault }
  | { kind: 'queue'; faults: Fault[] }
  | { kind: 'rule'; rule: FaultRule };

class HfFake {
  readonly log: LoggedRequest[] = [];
  private readonly repos = new Map<string, RepoState>();
  private readonly tokens: Set<string>;
  private readonly pageSize: number;
  private readonly secret = randomBytes(16);
  private readonly attempts = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private readonly sockets = new Set<Socket>();
  private readonly connectionIndex = new WeakMap<Socket, number>();
  private faults: FaultSource = { kind: 'none' };
  private nextId = 1;
  private hub: Server;
  private cdn: Server;
  url = '';
  cdnUrl = '';

  constructor(private readonly options: FakeHfServerOptions) {
    for (const [id, spec] of Object.entries(options.repos)) this.repos.set(id, buildRepo(id, spec));
    this.tokens = new Set(options.tokens ?? []);
    this.pageSize = options.pageSize ?? 50;
    this.hub = this.createServer('hub');
    this.cdn = this.createServer('cdn');
  }

  async listen(): Promise<void> {
    const listen = (server: Server) =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      });
    [this.url, this.cdnUrl] = await Promise.all([listen(this.hub), listen(this.cdn)]);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const closeOne = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([closeOne(this.hub), closeOne(this.cdn)]);
  }

  // --- public helpers -------------------------------------------------------------------------------------------

  setFault(fault: Fault | Fault[] | FaultRule | undefined): void {
    if (fault === undefined) this.faults = { kind: 'none' };
    else if (typeof fault === 'function') this.faults = { kind: 'rule', rule: fault };
    else if (Array.isArray(fault)) this.faults = { kind: 'queue', faults: [...fault] };
    else this.faults = { kind: 'fixed', fault };
  }

  requests(filter?: RequestFilter): LoggedRequest[] {
    if (filter === undefined) return [...this.log];
    if (typeof filter === 'function') return this.log.filter(filter);
    const wanted = Object.entries(filter) as Array<[keyof LoggedRequest, unknown]>;
    return this.log.filter((r) => wanted.every(([key, value]) => r[key] === value));
  }

  bytesServed(pathOrSha: string): number {
    const matches = (r: LoggedRequest) =>
      r.path === pathOrSha ||
      (r.file !== undefined &&
        [r.file.path, `${r.file.repo}/${r.file.path}`, r.file.sha256, r.file.gitOid].includes(pathOrSha));
    return this.log
      .filter((r) => (r.status === 200 || r.status === 206) && (r.kind === 'resolve' || r.kind === 'blob') && matches(r))
      .reduce((sum, r) => sum + r.bytesSent, 0);
  }

  reset(): void {
    this.log.length = 0;
    this.attempts.clear();
    this.faults = { kind: 'none' };
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  blobUrl(sha256: string): string {
    return `${this.cdnUrl}/blobs/${sha256}?sig=${this.sign(sha256)}`;
  }

  async fileInfo(repoId: string, path: string): Promise<ServedFile> {
    const file = this.repos.get(repoId)?.files.get(path);
    if (!file) throw new Error(`fake hub: no file ${repoId}/${path}`);
    return this.describe(repoId, file);
  }

  setRepo(id: string, repo: FakeRepo | undefined): void {
    if (repo === undefined) this.repos.delete(id);
    else this.repos.set(id, buildRepo(id, repo));
  }

  // --- plumbing -------------------------------------------------------------------------------------------------

  private createServer(kind: 'hub' | 'cdn'): Server {
    let connections = 0;
    const server = createServer((req, res) => this.onRequest(kind, req, res));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.connectionIndex.set(socket, connections++);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private sign(sha256: string): string {
    return createHmac('sha256', this.secret).update(sha256).digest('hex').slice(0, 32);
  }

  private async describe(repo: string, file: StoredFile): Promise<ServedFile> {
    const { sha256, gitOid } = await file.digest();
    return { repo, path: file.path, size: file.size, lfs: file.lfs, sha256, gitOid };
  }

  private onRequest(server: 'hub' | 'cdn', req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const attemptKey = `${server} ${method} ${url.pathname}`;
    const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
    this.attempts.set(attemptKey, attempt);
    const authorization = req.headers.authorization;
    const entry: LoggedRequest = {
      id: this.nextId++,
      server,
      kind: 'unknown',
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      range: req.headers.range,
      sentAuthorization: authorization !== undefined,
      authorization,
      connectionIndex: req.socket ? (this.connectionIndex.get(req.socket) ?? -1) : -1,
      attempt,
      status: 0,
      errorCode: undefined,
      file: undefined,
      fault: undefined,
      corruptedOffset: undefined,
      bytesSent: 0,
      outcome: 'pending',
      serverError: undefined,
    };
    this.log.push(entry);

    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    const ctx: Ctx = { req, res, url, entry, closed: false, settle };
    res.once('close', () => {
      ctx.closed = true;
      if (entry.outcome === 'pending') entry.outcome = res.writableFinished ? 'complete' : 'aborted';
      settle();
    });

    const handler = server === 'hub' ? this.handleHub(ctx) : this.handleCdn(ctx);
    handler.catch((error: unknown) => {
      entry.serverError = error instanceof Error ? (error.stack ?? error.message) : String(error);
      if (!res.headersSent) this.hubError(ctx, 500, 'FakeServerError', entry.serverError.split('\n')[0] ?? 'error');
      else res.destroy();
    });
  }

  /** Sends a complete small response. */
  private send(ctx: Ctx, status: number, headers: Record<string, string | number>, body: string | Buffer = ''): void {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    const head = ctx.req.method === 'HEAD';
    ctx.entry.status = status;
    ctx.res.writeHead(status, { ...headers, 'Content-Length': buf.length });
    ctx.res.end(head ? '' : buf, () => {
      if (!head) ctx.entry.bytesSent += buf.length;
    });
  }

  private sendJson(ctx: Ctx, value: unknown, headers: Record<string, string> = {}): void {
    this.send(ctx, 200, { 'Content-Type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value));
  }

  private hubError(ctx: Ctx, status: number, code: string, message: string): void {
    ctx.entry.errorCode = code;
    this.send(
      ctx,
      status,
      { 'Content-Type': 'application/json; charset=utf-8', 'X-Error-Code': code, 'X-Error-Message': message },
      JSON.stringify({ error: message }),
    );
  }

  // --- hub ------------------------------------------------------------------------------------------------------

  private async handleHub(ctx: Ctx): Promise<void> {
    const { req, url } = ctx;
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.send(ctx, 405, { Allow: 'GET, HEAD' });
    let segments: string[];
    try {
      segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    } catch {
      return this.send(ctx, 400, {}, 'bad percent-encoding');
    }
    const [first, second, org, name, action, revision, ...rest] = segments;

    if (first === 'api' && second === 'models' && org && name) {
      const repoId = `${org}/${name}`;
      if (action === undefined) return this.modelInfo(ctx, repoId, 'main');
      if (action === 'revision' && revision !== undefined && rest.length === 0) {
        return this.modelInfo(ctx, repoId, revision);
      }
      if (action === 'tree' && revision !== undefined) {
        return this.tree(ctx, repoId, revision, rest.filter((s) => s !== '').join('/'));
      }
    }
    // /{org}/{name}/resolve/{rev}/{path…}
    const [rOrg, rName, resolve, rRevision, ...pathParts] = segments;
    if (resolve === 'resolve' && rOrg && rName && rRevision !== undefined && pathParts.length > 0) {
      return this.resolve(ctx, `${rOrg}/${rName}`, rRevision, pathParts.join('/'));
    }
    this.send(ctx, 404, { 'Content-Type': 'text/plain' }, 'Not Found');
  }

  /** Applies the hub's access rules; on refusal sends the error and returns undefined. */
  private authorize(ctx: Ctx, repoId: string): RepoState | undefined {
    const match = /^Bearer\s+(.+)$/i.exec(ctx.req.headers.authorization ?? '');
    const token = match?.[1]?.trim();
    const granted = token !== undefined && this.tokens.has(token);
    const repo = this.repos.get(repoId);
    if (repo === undefined || (repo.spec.private && !granted)) {
      this.hubError(ctx, granted ? 404 : 401, 'RepoNotFound', 'Repository not found');
      return undefined;
    }
    if (repo.spec.gated && !granted) {
      if (token === undefined) {
        this.hubError(ctx, 401, 'GatedRepo', `Access to model ${repoId} is restricted. You must be authenticated to access it.`);
      } else {
        this.hubError(
          ctx,
          403,
          'GatedRepo',
          `Access to model ${repoId} is restricted and you are not in the authorized list. ` +
            `Visit https://huggingface.co/${repoId} to ask for access.`,
        );
      }
      return undefined;
    }
    return repo;
  }

  /** Resolves a revision or sends 404 RevisionNotFound. */
  private commitFor(ctx: Ctx, repo: RepoState, revision: string): string | undefined {
    const sha = resolveRevision(repo, revision);
    if (sha === undefined) this.hubError(ctx, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    return sha;
  }

  private async modelInfo(ctx: Ctx, repoId: string, revision: string): Promise<void> {
    ctx.entry.kind = 'model-info';
    const repo = this.authorize(ctx, repoId);
    if (!repo) return;
    const sha = this.commitFor(ctx, repo, revision);
    if (!sha) return;
    const withBlobs = ctx.url.searchParams.get('blobs') === 'true';
    const siblings = await Promise.all(
      [...repo.files.values()].map(async (file) => {
        if (!withBlobs) return { rfilename: file.path };
        const { sha256, gitOid, pointer } = await file.digest();
        return {
          rfilename: file.path,
          blobId: gitOid,
          size: file.size,
          ...(pointer ? { lfs: { sha256, size: file.size, pointerSize: pointer.length } } : {}),
        };
      }),
    );
    this.sendJson(ctx, {
      _id: sha256Hex(repoId).slice(0, 24),
      id: repoId,
      modelId: repoId,
      sha,
      private: repo.spec.private ?? false,
      gated: repo.spec.gated ? 'manual' : false,
      disabled: false,
      siblings,
    });
  }

  private async tree(ctx: Ctx, repoId: string, revision: string, dir: string): Promise<void> {
    ctx.entry.kind = 'tree';
    const repo = this.authorize(ctx, repoId);
    if (!repo) return;
    if (!this.commitFor(ctx, repo, revision)) return;
    const recursive = ['true', '1'].includes(ctx.url.searchParams.get('recursive') ?? '');
    const prefix = dir === '' ? '' : `${dir}/`;

    // Every file below `dir`, and every directory strictly below it; non-recursive keeps direct children only.
    const files = [...repo.files.values()].filter((f) => f.path.startsWith(prefix));
    if (dir !== '' && files.length === 0) {
      return this.hubError(ctx, 404, 'EntryNotFound', `${dir} does not exist on "${revision}"`);
    }
    const dirs = new Set<string>();
    for (const f of files) {
      const parts = f.path.slice(prefix.length).split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(prefix + parts.slice(0, i).join('/'));
    }
    const depth = (p: string) => p.slice(prefix.length).split('/').length;
    type Item = { type: 'file'; file: StoredFile; path: string } | { type: 'directory'; path: string };
    const items: Item[] = [
      ...files.map((file): Item => ({ type: 'file', file, path: file.path })),
      ...[...dirs].map((path): Item => ({ type: 'directory', path })),
    ]
      .filter((item) => recursive || depth(item.path) === 1)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

    // Pagination: an opaque cursor holding the offset, and an absolute Link to the next page.
    const cursor = ctx.url.searchParams.get('cursor');
    const offset = cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString());
    if (!Number.isSafeInteger(offset) || offset < 0) return this.hubError(ctx, 400, 'BadRequest', 'Invalid cursor');
    const page = items.slice(offset, offset + this.pageSize);
    const headers: Record<string, string> = {};
    if (offset + this.pageSize < items.length) {
      const next = new URL(`${this.url}${ctx.url.pathname}${ctx.url.search}`);
      next.searchParams.set('cursor', Buffer.from(String(offset + this.pageSize)).toString('base64url'));
      headers.Link = `<${next.href}>; rel="next"`;
    }
    const body = await Promise.all(
      page.map(async (item) => {
        if (item.type === 'directory') {
          const oid = createHash('sha1').update(`tree ${repoId} ${item.path}`).digest('hex'); // stable, not git's
          return { type: 'directory', oid, size: 0, path: item.path };
        }
        const { sha256, gitOid, pointer } = await item.file.digest();
        return {
          type: 'file',
          oid: gitOid,
          size: item.file.size,
          path: item.path,
          ...(pointer ? { lfs: { oid: sha256, size: item.file.size, pointerSize: pointer.length } } : {}),
        };
      }),
    );
    this.sendJson(ctx, body, headers);
  }

  private async resolve(ctx: Ctx, repoId: string, revision: string, path: string): Promise<void> {
    ctx.entry.kind = 'resolve';
    const repo = this.authorize(ctx, repoId);
    if (!repo) return;
    const sha = this.commitFor(ctx, repo, revision);
    if (!sha) return;
    const file = repo.files.get(path);
    if (!file) return this.hubError(ctx, 404, 'EntryNotFound', `${path} does not exist on "${revision}"`);
    const served = await this.describe(repoId, file);
    ctx.entry.file = served;

    const isGet = ctx.req.method === 'GET';
    const fault = this.takeFault(ctx, { body: isGet && !file.lfs });
    if (fault?.status !== undefined) return this.sendFault(ctx, fault);

    if (file.lfs) {
      // The real hub redirects LFS files to a signed CDN URL and puts the content's identity in X-Linked-*.
      return this.send(ctx, 302, {
        Location: this.blobUrl(served.sha256),
        'X-Repo-Commit': sha,
        'X-Linked-Etag': `"${served.sha256}"`,
        'X-Linked-Size': served.size,
        ETag: `"${served.gitOid}"`,
        'Accept-Ranges': 'bytes',
      });
    }
    await this.serveContent(ctx, file, fault, {
      'Content-Type': 'application/octet-stream',
      ETag: `"${served.gitOid}"`,
      'X-Repo-Commit': sha,
      'Accept-Ranges': 'bytes',
    });
  }

  // --- CDN ------------------------------------------------------------------------------------------------------

  private async handleCdn(ctx: Ctx): Promise<void> {
    const { req, url, entry } = ctx;
    entry.kind = 'blob';
    const cdnError = (status: number, code: string) => {
      entry.errorCode = code;
      this.send(ctx, status, { 'Content-Type': 'application/xml' }, `<Error><Code>${code}</Code></Error>`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.send(ctx, 405, { Allow: 'GET, HEAD' });
    // A signed URL must never receive the hub token: the client has to drop Authorization on the redirect.
    if (req.headers.authorization !== undefined) return cdnError(403, 'AuthorizationOnSignedUrl');
    const sha256 = /^\/blobs\/([0-9a-f]{64})$/.exec(url.pathname)?.[1];
    if (sha256 === undefined) return cdnError(404, 'NoSuchKey');
    if (url.searchParams.get('sig') !== this.sign(sha256)) return cdnError(403, 'InvalidSignature');
    const found = await this.findBlob(sha256);
    if (!found) return cdnError(404, 'NoSuchKey');
    entry.file = await this.describe(found.repo, found.file);

    const fault = this.takeFault(ctx, { body: req.method === 'GET' });
    if (fault?.status !== undefined) return this.sendFault(ctx, fault);
    await this.serveContent(ctx, found.file, fault, {
      'Content-Type': 'application/octet-stream',
      ETag: `"${sha256}"`,
      'Accept-Ranges': 'bytes',
    });
  }

  private async findBlob(sha256: string): Promise<{ repo: string; file: StoredFile } | undefined> {
    for (const repo of this.repos.values()) {
      for (const file of repo.files.values()) {
        if (file.lfs && (await file.digest()).sha256 === sha256) return { repo: repo.id, file };
      }
    }
    return undefined;
  }

  // --- faults and bodies ----------------------------------------------------------------------------------------

  /** Picks the fault for this request (if any) and records it. `body`: the request would get file bytes. */
  private takeFault(ctx: Ctx, target: { body: boolean }): Fault | undefined {
    const { entry } = ctx;
    const applies = (f: Fault) => {
      const on = f.on ?? 'body';
      return on === 'body' ? target.body : on === 'cdn' ? entry.server === 'cdn' : entry.server === 'hub';
    };
    let fault: Fault | undefined;
    const source = this.faults;
    if (source.kind === 'fixed') fault = source.fault;
    else if (source.kind === 'queue') {
      const head = source.faults[0];
      if (head && applies(head)) fault = source.faults.shift();
    } else if (source.kind === 'rule') {
      fault = source.rule({
        server: entry.server,
        method: entry.method,
        path: entry.path,
        range: entry.range,
        attempt: entry.attempt,
        connectionIndex: entry.connectionIndex,
      });
    }
    if (fault === undefined || !applies(fault)) return undefined;
    entry.fault = fault;
    return fault;
  }

  private sendFault(ctx: Ctx, fault: Fault): void {
    this.send(
      ctx,
      fault.status ?? 500,
      { 'Content-Type': 'application/json; charset=utf-8', ...fault.headers },
      JSON.stringify({ error: 'injected fault' }),
    );
  }

  /** 200/206/416 for a file body, honouring Range and the body faults. */
  private async serveContent(
    ctx: Ctx,
    file: StoredFile,
    fault: Fault | undefined,
    headers: Record<string, string | number>,
  ): Promise<void> {
    const { req, res, entry } = ctx;
    const range = fault?.ignoreRange ? undefined : parseRange(req.headers.range, file.size);
    if (range === 'unsatisfiable') return this.send(ctx, 416, { ...headers, 'Content-Range': `bytes */${file.size}` });
    const [start, end] = range ?? [0, file.size];
    entry.status = range ? 206 : 200;
    res.writeHead(entry.status, {
      ...headers,
      'Content-Length': end - start,
      ...(range ? { 'Content-Range': `bytes ${start}-${end - 1}/${file.size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await this.pump(ctx, file, start, end, fault);
  }

  /** Streams file bytes [start, end) with backpressure, applying throttle, corruption, drop and stall. */
  private async pump(ctx: Ctx, file: StoredFile, start: number, end: number, fault: Fault | undefined): Promise<void> {
    const { res, entry } = ctx;
    const rate = fault?.rateBytesPerSec ?? this.options.rateBytesPerSecPerConnection;
    const cutAfter = fault?.dropAfterBytes ?? fault?.stallAfterBytes;
    const stop = cutAfter === undefined ? end : Math.min(end, start + cutAfter);
    const corruptAt = fault?.corrupt && end > start ? start + Math.floor((end - start) / 2) : undefined;
    entry.corruptedOffset = corruptAt;
    const slice = rate ? Math.max(1, Math.min(CHUNK, Math.floor(rate / 20))) : CHUNK; // ~20 writes/s when throttled
    const began = performance.now();

    let pos = start;
    while (pos < stop && !ctx.closed) {
      const n = Math.min(slice, stop - pos);
      let chunk = file.read(pos, n);
      if (corruptAt !== undefined && corruptAt >= pos && corruptAt < pos + n) {
        chunk = Buffer.from(chunk); // never modify the caller's buffer
        chunk[corruptAt - pos] = chunk[corruptAt - pos]! ^ 0xff;
      }
      const flushed = res.write(chunk, (error) => {
        if (!error) entry.bytesSent += n;
      });
      pos += n;
      if (!flushed) await untilEvent(res, 'drain');
      if (rate) await pause(res, began + ((pos - start) / rate) * 1000 - performance.now());
    }
    if (ctx.closed) return; // the client went away: 'close' records it as aborted

    if (pos < end && fault?.dropAfterBytes !== undefined) {
      // Flush what was written (head included), send FIN, then destroy: the client sees exactly `pos - start` bytes.
      entry.outcome = 'dropped';
      if (pos === start) res.flushHeaders(); // no body yet: send the head on its own
      const socket = res.socket;
      if (!socket) return;
      socket.once('finish', () => socket.destroy());
      socket.end();
    } else if (pos < end && fault?.stallAfterBytes !== undefined) {
      entry.outcome = 'stalled';
      if (pos === start) res.flushHeaders(); // no body yet: send the head on its own
      ctx.settle(); // counts as settled; the socket stays open until the client or close() ends it
    } else {
      res.end();
    }
  }
}

/** Resolves on `event` or when the response closes, whichever comes first. */
function untilEvent(res: ServerResponse, event: 'drain'): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off(event, done);
      res.off('close', done);
      resolve();
    };
    res.once(event, done);
    res.once('close', done);
  });
}

/** Sleeps `ms`, cut short when the response closes. */
function pause(res: ServerResponse, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

/** Starts the hub and CDN servers on 127.0.0.1 (ephemeral ports). */
export async function startFakeHfServer(options: FakeHfServerOptions): Promise<FakeHfServer> {
  const fake = new HfFake(options);
  await fake.listen();
  return {
    url: fake.url,
    cdnUrl: fake.cdnUrl,
    log: fake.log,
    setFault: (fault) => fake.setFault(fault),
    bytesServed: (pathOrSha) => fake.bytesServed(pathOrSha),
    requests: (filter) => fake.requests(filter),
    reset: () => fake.reset(),
    idle: () => fake.idle(),
    blobUrl: (sha256) => fake.blobUrl(sha256),
    fileInfo: (repo, path) => fake.fileInfo(repo, path),
    setRepo: (id, repo) => fake.setRepo(id, repo),
    close: () => fake.close(),
  };
}
