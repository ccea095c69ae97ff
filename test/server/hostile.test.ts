/**
 * `devstral serve` under requests a web page, a confused client or an attacker would send: DNS rebinding, cross-site
 * POSTs, wrong methods and bodies, oversized and malformed input, disconnects and floods. Raw HTTP (node:http), so
 * Host, Origin and Content-Type can be anything.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe, type ServeProcess } from '../support/startServe.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const KEY = 'hostile-key';
const MODEL = 'tiny';
let server: ServeProcess;
let port: number;

before(async () => {
  const model = join(mkdtempSync(join(tmpdir(), 'devstral-hostile-')), 'tiny.gguf');
  await writeTinyGguf(model);
  server = await startServe(['--model', model, '--threads', '1', '--ctx', '1024', '--parallel', '2', '--api-key', KEY, '--served-model-name', MODEL, '--allowed-hosts', 'devbox.local', '--cors-origin', 'http://localhost:3000']);
  port = Number(new URL(server.origin).port);
});
after(() => server?.stop());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${KEY}`, ...options.headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const chatBody = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
const postJson = (path: string, body: string, headers: Record<string, string> = {}) => send('POST', path, { body, headers: { 'content-type': 'application/json', ...headers } });

describe('devstral serve under hostile requests', () => {
  it('DNS rebinding: a Host that does not name this machine is refused (403); loopback names and --allowed-hosts are served', async () => {
    const evil = await postJson('/v1/chat/completions', chatBody, { host: `evil.example:${port}` });
    assert.equal(evil.status, 403);
    assert.match(JSON.parse(evil.body).error.message, /--allowed-hosts evil\.example/);
    assert.equal((await send('GET', '/v1/models', { headers: { host: 'evil.example' } })).status, 403, 'reads too');
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'devbox.local']) {
      assert.equal((await send('GET', '/v1/models', { headers: { host } })).status, 200, host);
    }
  });

  it('cross-site: a text/plain POST is refused (415), a foreign Origin is refused (403), preflights get CORS headers only for --cors-origin', async () => {
    const plain = await send('POST', '/v1/chat/completions', { body: chatBody, headers: { 'content-type': 'text/plain' } });
    assert.equal(plain.status, 415);
    assert.match(JSON.parse(plain.body).error.message, /application\/json/);
    assert.equal((await send('POST', '/v1/messages', { body: '{}', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 415);
    const foreign = await postJson('/v1/chat/completions', chatBody, { origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    const preflight = await send('OPTIONS', '/v1/chat/completions', { headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 403);
    const allowed = await send('OPTIONS', '/v1/chat/completions', { headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } });
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers['access-control-allow-origin'], 'http://localhost:3000');
    assert.match(String(allowed.headers['access-control-allow-headers']), /authorization/);
    const fromPage = await postJson('/v1/chat/completions', chatBody, { origin: 'http://localhost:3000', 'content-type': 'application/json; charset=utf-8' });
    assert.equal(fromPage.status, 200);
    assert.equal(fromPage.headers['access-control-allow-origin'], 'http://localhost:3000');
  });

  it('a wrong method is 405 with Allow; an unknown path 404', async () => {
    const get = await send('GET', '/v1/chat/completions');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.equal((await send('DELETE', '/v1/models')).headers.allow, 'GET, HEAD');
    assert.equal((await send('GET', '/v2/nothing')).status, 404);
  });

  it('legacy completions over the context name the prompt', async () => {
    const r = await postJson('/v1/completions', JSON.stringify({ model: MODEL, prompt: 'x'.repeat(3000) }));
    assert.equal(r.status, 400);
    const error = JSON.parse(r.body).error;
    assert.equal(error.param, 'prompt');
    assert.match(error.message, /your prompt resulted in/);
    assert.doesNotMatch(error.message, /messages/);
  });

  it('what is right today stays right: malformed JSON 400, over 32 MiB 413, the key on every route but /health', async () => {
    assert.equal((await postJson('/v1/chat/completions', '{"model": ')).status, 400);
    assert.equal((await postJson('/v1/messages', '{not json')).status, 400);
    const big = await postJson('/v1/chat/completions', 'x'.repeat(33 * 1024 * 1024));
    assert.equal(big.status, 413);
    const noKey = (method: string, path: string, body?: string) => send(method, path, { ...(body ? { body } : {}), headers: { authorization: '', 'content-type': 'application/json' } });
    for (const [method, path] of [['GET', '/v1/models'], ['GET', `/v1/models/${MODEL}`], ['POST', '/v1/chat/completions'], ['POST', '/v1/completions'], ['POST', '/v1/messages'], ['POST', '/v1/messages/count_tokens'], ['POST', '/v1/responses'], ['GET', '/v1/responses/resp_x']] as const) {
      assert.equal((await noKey(method, path, method === 'POST' ? chatBody : undefined)).status, 401, `${method} ${path}`);
    }
    assert.equal((await noKey('GET', '/health')).status, 200);
    const anthropic = await send('POST', '/v1/messages', { body: '{}', headers: { authorization: '', 'x-api-key': 'wrong', 'content-type': 'application/json' } });
    assert.deepEqual(JSON.parse(anthropic.body).error.type, 'authentication_error');
  });

  it('a client that disconnects mid-stream frees its slot at once', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.origin}/v1/chat/completions`, { method: 'POST', signal: controller.signal, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'go on' }], max_tokens: 900, stream: true }) });
    const reader = res.body!.getReader();
    await reader.read();
    const busy = (await (await fetch(`${server.origin}/health`)).json()) as { slots: { busy: number } };
    assert.equal(busy.slots.busy, 1);
    controller.abort();
    for (let i = 0; i < 100; i++) {
      const h = (await (await fetch(`${server.origin}/health`)).json()) as { slots: { busy: number } };
      if (h.slots.busy === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail('the slot was not freed');
  });

  it('20 requests over 2 slots: all served, the rest queued meanwhile', async () => {
    let sawQueue = false;
    const watch = setInterval(async () => {
      const h = (await (await fetch(`${server.origin}/health`)).json().catch(() => ({}))) as { slots?: { queued: number } };
      if ((h.slots?.queued ?? 0) > 0) sawQueue = true;
    }, 10);
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => postJson('/v1/chat/completions', JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: `n${i}` }], max_tokens: 8 }))));
      assert.deepEqual(answers.map((a) => a.status), Array(20).fill(200));
    } finally {
      clearInterval(watch);
    }
    assert.ok(sawQueue, 'requests waited in the queue while both slots were busy');
  });
});
