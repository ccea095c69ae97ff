/**
 * Where a blob's bytes come from: the hub's /resolve URL, redirected once to a CDN URL that later ranges go to
 * straight (resolved again when it expires), read through the direct client into our buffers when there is one, or
 * through undici. Every answer that is not the bytes asked for becomes an error the download retries or reports.
 */
import { DevstralError } from '../errors.js';
import type { HubClient, OpenedFile } from './hubClient.js';
import type { ChunkWriter } from './chunkWriter.js';

export interface BlobRequest {
  /** The hub's /resolve URL of the file. */
  url: string;
  size: number;
  /** sha256 (LFS) or git blob sha1: the expected hash and the blob's name. */
  etag: string;
  lfs: boolean;
  /** blobs/<etag> */
  dest: string;
  /** For messages: repo/path. */
  label: string;
  /** Where the hub redirects `url` to, when already known (no HEAD needed). */
  downloadUrl?: string;
}

export interface SourceOptions {
  client: HubClient;
  /** No bytes for this long -> the request is restarted. */
  stallMs?: number;
  signal?: AbortSignal;
}

/** The server answered a range request with the whole file: the download goes on with one plain GET. */
export class RangeIgnored extends Error {}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

export class BlobSource {
  private cdnUrl: string | undefined;

  constructor(
    private readonly blob: BlobRequest,
    private readonly options: SourceOptions,
  ) {
    this.cdnUrl = blob.downloadUrl;
  }

  /**
   * Bytes start..end into a writer through the client that reads them straight into our buffers, when there is one and
   * the answer is a plain 206 (or 200 for the whole file). false: ask again with `open`, which handles every answer.
   */
  async readDirect(start: number, end: number, whole: boolean, newWriter: () => ChunkWriter): Promise<boolean> {
    const { client, signal, stallMs } = this.options;
    if (!client.direct) return false;
    const url = await this.downloadUrl();
    const writer = newWriter();
    let result;
    try {
      result = await client.direct.get(url, client.requestHeaders(url, `bytes=${start}-${end}`), { stallMs: stallMs ?? 30_000, ...(signal ? { signal } : {}) }, (response) =>
        (response.status === 206 && answersRange(response.headers, start, end)) || (response.status === 200 && whole) ? writer : undefined,
      );
    } finally {
      // What arrived before a dropped connection is kept: the retry continues after it.
      await writer.finish();
    }
    // The CDN sends us on (undici follows this once; the next chunks go straight there).
    const { status, headers } = result.response;
    if (status >= 300 && status < 400 && headers.location) this.cdnUrl = new URL(headers.location, url).toString();
    return result.complete;
  }

  /** A request of the file's bytes through undici; a 4xx from the CDN resolves its URL again. */
  async open(range: string): Promise<OpenedFile> {
    const { client, signal, stallMs } = this.options;
    const url = await this.downloadUrl();
    const response = await client.open(url, { range, bodyTimeoutMs: stallMs ?? 30_000, ...(signal ? { signal } : {}) });
    if ([401, 403, 404, 410].includes(response.status) && url !== this.blob.url) {
      await response.body.dump().catch(() => undefined);
      this.cdnUrl = undefined;
      throw new Error(`the download URL expired (HTTP ${response.status}); retry`);
    }
    return response;
  }

  /** An answer that is not the bytes: a plain Error to retry (busy, 5xx), or the hub's own error to report. */
  async reject(response: OpenedFile): Promise<never> {
    if (RETRYABLE_STATUS.has(response.status)) {
      await response.body.dump().catch(() => undefined);
      throw new Error(`HTTP ${response.status}`);
    }
    const [repo, path] = this.blob.label.split(/\/(.*)/, 2) as [string, string];
    return this.options.client.raiseFor(response, { repo: repo.split('/').length === 1 ? this.blob.label : repo, path });
  }

  /** The file's CDN URL, resolved once (signed URLs last long) with a HEAD that does not follow the redirect. */
  private async downloadUrl(): Promise<string> {
    if (this.cdnUrl !== undefined) return this.cdnUrl;
    const { client, signal, stallMs } = this.options;
    const head = await client.open(this.blob.url, { method: 'HEAD', follow: false, bodyTimeoutMs: stallMs ?? 30_000, ...(signal ? { signal } : {}) });
    await head.body.dump().catch(() => undefined);
    this.checkLinkedHeaders(head.headers);
    const location = head.headers.location;
    if (head.status >= 300 && head.status < 400 && typeof location === 'string') this.cdnUrl = new URL(location, this.blob.url).toString();
    else if (head.status === 200) this.cdnUrl = this.blob.url;
    else return this.reject(head);
    return this.cdnUrl;
  }

  /** The hub's X-Linked-Etag / X-Linked-Size must match what the file list said, or the file changed meanwhile. */
  private checkLinkedHeaders(headers: OpenedFile['headers']): void {
    const etag = String(headers['x-linked-etag'] ?? '').replace(/^W\//, '').replace(/"/g, '');
    const size = headers['x-linked-size'] === undefined ? undefined : Number(headers['x-linked-size']);
    if ((etag && this.blob.lfs && etag !== this.blob.etag) || (size !== undefined && size !== this.blob.size)) {
      throw new DevstralError('download', `${this.blob.label} changed on the hub during the pull (expected ${this.blob.etag}, ${this.blob.size} bytes; the hub now says ${etag || '?'}, ${size ?? '?'} bytes)`, {
        hint: 'run the pull again to get the new version',
      });
    }
  }
}

/** A 206 for bytes start..end (or fewer), its length matching: anything else would write outside the chunk. */
export function answersRange(headers: Record<string, string | string[] | undefined>, start: number, end: number): boolean {
  const match = /^bytes (\d+)-(\d+)\/(?:\d+|\*)$/.exec(String(headers['content-range'] ?? '').trim());
  if (!match || Number(match[1]) !== start || Number(match[2]) > end) return false;
  const length = headers['content-length'];
  return length === undefined || Number(length) === Number(match[2]) - start + 1;
}
