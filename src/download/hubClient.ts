/** Hugging Face hub protocol over undici: revisions, paginated file trees, file requests with redirects. */
import { DirectHttpClient } from '../net/directHttpClient.js';
import { EnvHttpProxyAgent, request, usesProxyOrGlobalDispatcher, type Dispatcher } from '../net/undici.js';
import { packageInfo } from '../packageInfo.js';
import { hubError, networkError } from './hubErrors.js';
import { networkFailure, withNetworkRetries } from './networkRetry.js';
import type { RemoteFile, TreeFile } from './selectFiles.js';

export interface HubClientOptions {
  endpoint: string;
  token?: string;
  dispatcher?: Dispatcher;
}

export interface OpenedFile {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** The URL that answered (after redirects). */
  url: string;
}

const header = (h: Record<string, string | string[] | undefined>, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

const MAX_REDIRECTS = 10;
const API_ATTEMPTS = 3;

export class HubClient {
  readonly endpoint: string;
  readonly hasToken: boolean;
  private readonly token: string | undefined;
  private readonly dispatcher: Dispatcher;
  /** For file bytes, unless a proxy or a custom dispatcher must carry every request. */
  readonly direct: DirectHttpClient | undefined;

  constructor(options: HubClientOptions) {
    this.endpoint = options.endpoint;
    this.token = options.token;
    this.hasToken = options.token !== undefined;
    this.dispatcher = options.dispatcher ?? new EnvHttpProxyAgent({ connections: 64 });
    if (!options.dispatcher && !usesProxyOrGlobalDispatcher()) this.direct = new DirectHttpClient();
  }

  /** A branch, tag or commit -> the commit sha (`X-Repo-Commit` layout folder name). */
  async resolveRevision(repo: string, revision: string): Promise<string> {
    const data = (await this.getJson(`/api/models/${repo}/revision/${encodeURIComponent(revision)}`, { repo, revision })) as { sha?: string };
    if (!data.sha) throw hubError({ status: 500, errorMessage: 'no sha in the revision answer', repo, endpoint: this.endpoint, hasToken: this.hasToken });
    return data.sha;
  }

  /** Every file of a commit, following the tree API's `Link: <...>; rel="next"` pages. */
  async listFiles(repo: string, commit: string): Promise<TreeFile[]> {
    const files: TreeFile[] = [];
    let next: string | undefined = `${this.endpoint}/api/models/${repo}/tree/${commit}?recursive=true`;
    while (next) {
      const { data, link }: { data: unknown; link: string | undefined } = await this.getJsonPage(next, { repo, revision: commit });
      for (const entry of data as (TreeFile & { type: string })[]) {
        if (entry.type === 'file') files.push({ path: entry.path, size: entry.size, oid: entry.oid, ...(entry.lfs ? { lfs: { oid: entry.lfs.oid, size: entry.lfs.size } } : {}) });
      }
      next = /<([^>]+)>;\s*rel="?next"?/.exec(link ?? '')?.[1];
    }
    return files;
  }

  /**
   * One file's commit, identity and size from a HEAD of its /resolve URL, as huggingface_hub does for a single file
   * (no revision and tree calls: two round trips less), with the CDN URL of an LFS file. Undefined when the answer
   * lacks what that needs (e.g. a redirect to a renamed repository): the caller lists the tree instead.
   */
  async headFile(repo: string, revision: string, path: string): Promise<{ commit: string; file: RemoteFile } | undefined> {
    const url = this.fileUrl(repo, revision, path);
    let opened: OpenedFile;
    try {
      opened = await this.open(url, { method: 'HEAD', follow: false });
    } catch {
      return undefined; // the tree listing retries and reports network errors
    }
    await opened.body.dump().catch(() => undefined);
    if ([401, 403, 404].includes(opened.status)) return this.raiseFor(opened, { repo, revision, path });
    const h = (name: string) => header(opened.headers, name);
    const commit = h('x-repo-commit');
    const linked = h('x-linked-etag');
    const etag = (linked ?? h('etag'))?.replace(/^W\//, '').replace(/"/g, '');
    const size = Number(h('x-linked-size') ?? h('content-length'));
    const location = h('location');
    const lfs = linked !== undefined;
    const ok = opened.status === 200 || (lfs && opened.status >= 300 && opened.status < 400 && location);
    if (!ok || !commit || !etag || !Number.isSafeInteger(size)) return undefined;
    // A regular file comes from the hub itself, at the commit just resolved.
    const downloadUrl = lfs && location ? new URL(location, url).toString() : this.fileUrl(repo, commit, path);
    return { commit, file: { path, size, etag, lfs, downloadUrl } };
  }

  fileUrl(repo: string, revision: string, path: string): string {
    return `${this.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** The token goes to the hub, never to another host (signed CDN URLs reject it, and it must not leak). */
  requestHeaders(url: string, range?: string): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': `devstral/${packageInfo.version}`, 'accept-encoding': 'identity' };
    if (range) headers.range = range;
    if (this.token && new URL(url).host === new URL(this.endpoint).host) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  /** GET (or HEAD) following redirects by hand, so that each hop gets its own headers (requestHeaders). */
  async open(url: string, options: { range?: string; method?: 'GET' | 'HEAD'; signal?: AbortSignal; bodyTimeoutMs?: number; follow?: boolean } = {}): Promise<OpenedFile> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await request(current, {
        method: options.method ?? 'GET',
        headers: this.requestHeaders(current, options.range),
        dispatcher: this.dispatcher,
        signal: options.signal,
        headersTimeout: options.bodyTimeoutMs ?? 60_000,
        bodyTimeout: options.bodyTimeoutMs ?? 60_000,
      });
      const location = header(response.headers, 'location');
      if (response.statusCode >= 300 && response.statusCode < 400 && location && options.follow !== false) {
        await response.body.dump();
        current = new URL(location, current).toString();
        continue;
      }
      return { status: response.statusCode, headers: response.headers, body: response.body, url: current };
    }
    throw hubError({ status: 310, errorMessage: `more than ${MAX_REDIRECTS} redirects`, repo: url, endpoint: this.endpoint, hasToken: this.hasToken });
  }

  /** Throws the hub's error for a non-2xx answer (after reading its error headers). */
  async raiseFor(opened: OpenedFile, context: { repo: string; revision?: string; path?: string }): Promise<never> {
    await opened.body.dump().catch(() => undefined);
    throw hubError({
      status: opened.status,
      errorCode: header(opened.headers, 'x-error-code'),
      errorMessage: header(opened.headers, 'x-error-message'),
      ...context,
      endpoint: this.endpoint,
      hasToken: this.hasToken,
    });
  }

  private async getJson(path: string, context: { repo: string; revision?: string }): Promise<unknown> {
    return (await this.getJsonPage(`${this.endpoint}${path}`, context)).data;
  }

  private async getJsonPage(url: string, context: { repo: string; revision?: string }): Promise<{ data: unknown; link: string | undefined }> {
    try {
      // The body is read inside the retry: a connection dropped in the middle of a listing is retried too.
      return await withNetworkRetries(async () => {
        for (let attempt = 1; ; attempt++) {
          const opened = await this.open(url);
          if (opened.status >= 500 && attempt < API_ATTEMPTS) {
            await opened.body.dump();
            await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
            continue;
          }
          if (opened.status !== 200) return this.raiseFor(opened, context);
          return { data: await opened.body.json(), link: header(opened.headers, 'link') };
        }
      }, { attempts: API_ATTEMPTS, baseMs: 300 });
    } catch (error) {
      throw networkFailure(error) ? networkError(this.endpoint, error) : error;
    }
  }

}
