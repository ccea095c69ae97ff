import { request } from 'node:http';
import type { HttpGetFn } from './detectDeps.js';

/**
 * The real HttpGetFn: a plain node:http GET with a hard deadline. Only used for loopback checks (no proxy, no TLS);
 * Node's fetch would first load its bundled undici, ~40 ms of every planning command.
 */
export const httpGetText: HttpGetFn = (url, timeoutMs) =>
  new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ kind: 'response', status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ kind: 'failed', reason: `${url}: ${error.message}` }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ kind: 'timeout', reason: `no answer from ${url} within ${timeoutMs} ms` });
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'failed', reason: `${url}: ${error.code ?? error.message}` }));
    req.end();
  });
