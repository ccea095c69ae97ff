/** A remote GGUF's header through HTTP Range requests: a few MB instead of the whole file. */
import { DevstralError } from '../errors.js';
import { GgufParseError, parseGgufHeader } from '../gguf/parseGgufHeader.js';
import { summarizeGguf, type GgufSummary } from '../gguf/summarizeGguf.js';
import type { HubClient } from './hubClient.js';
import { networkError } from './hubErrors.js';
import { networkFailure, withNetworkRetries } from './networkRetry.js';

const FIRST_BYTES = 4 * 1024 * 1024;
const MAX_HEADER_BYTES = 256 * 1024 * 1024;

export async function readRemoteGgufHeader(client: HubClient, url: string, label: string, signal?: AbortSignal): Promise<GgufSummary> {
  let bytes = Buffer.alloc(0);
  let want = FIRST_BYTES;
  for (;;) {
    const range = `bytes=${bytes.length}-${want - 1}`;
    const { status, body } = await withNetworkRetries(
      async () => {
        const response = await client.open(url, { range, ...(signal ? { signal } : {}) });
        if (response.status !== 206 && response.status !== 200) return client.raiseFor(response, { repo: label });
        return { status: response.status, body: Buffer.from(await response.body.arrayBuffer()) };
      },
      { attempts: 4, baseMs: 300, ...(signal ? { signal } : {}) },
    ).catch((error: unknown) => {
      throw networkFailure(error) ? networkError(new URL(url).origin, error) : error;
    });
    // A server without Range support sends everything from the start: keep only what was asked for.
    bytes = status === 200 ? body.subarray(0, want) : Buffer.concat([bytes, body]);
    try {
      const header = parseGgufHeader(bytes);
      if (header.complete) return summarizeGguf(header);
      if (body.length === 0 || header.needBytes > MAX_HEADER_BYTES) throw new GgufParseError(`the header does not end within ${bytes.length} bytes`);
      want = Math.max(header.needBytes, bytes.length + 1);
    } catch (error) {
      if (!(error instanceof GgufParseError)) throw error;
      throw new DevstralError('download', `${label} is not a usable GGUF file: ${error.message}`, { hint: 'check the file name; the repo may hold another format' });
    }
  }
}
