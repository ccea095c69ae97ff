/** Ollama pulls through its API, against a stand-in Ollama server on 127.0.0.1. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { pullOllama } from '../../src/download/pullOllama.ts';
import type { PullEvent } from '../../src/download/pullSnapshot.ts';

let server: Server;
let url: string;
const bodies: unknown[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const { model } = JSON.parse(body) as { model: string };
      bodies.push(JSON.parse(body));
      if (req.url !== '/api/pull') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (model.startsWith('missing')) return void res.end(`${JSON.stringify({ status: 'pulling manifest' })}\n${JSON.stringify({ error: 'pull model manifest: file does not exist' })}\n`);
      const lines = [
        { status: 'pulling manifest' },
        { status: 'pulling aaa', digest: 'sha256:aaa', total: 1000 },
        { status: 'pulling aaa', digest: 'sha256:aaa', total: 1000, completed: 600 },
        { status: 'pulling bbb', digest: 'sha256:bbb', total: 200, completed: 200 },
        { status: 'pulling aaa', digest: 'sha256:aaa', total: 1000, completed: 1000 },
        { status: 'verifying sha256 digest' },
        { status: 'success' },
      ];
      // Split across writes mid-line, as a real stream may.
      const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
      res.write(text.slice(0, 50));
      res.end(text.slice(50));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

describe('pullOllama', () => {
  it('streams progress summed over layers and finishes with the total', async () => {
    const events: PullEvent[] = [];
    const result = await pullOllama(url, 'hf.co/mistralai/Devstral-Small-2507_gguf:Q4_K_M', (e) => events.push(e));
    assert.deepEqual(bodies.at(-1), { model: 'hf.co/mistralai/Devstral-Small-2507_gguf:Q4_K_M', stream: true });
    assert.equal(result.bytes, 1200);
    const progress = events.filter((e) => e.type === 'progress').map((e) => (e.type === 'progress' ? [e.bytes, e.size] : []));
    assert.deepEqual(progress.at(-1), [1200, 1200]);
    assert.equal(events[0]!.type, 'resolved');
    assert.equal(events.at(-1)!.type, 'file-done');
  });

  it('an unknown tag says so', async () => {
    await assert.rejects(pullOllama(url, 'missing:latest'), /Ollama has no model missing:latest/);
  });

  it('no server says how to start one', async () => {
    await assert.rejects(pullOllama('http://127.0.0.1:9', 'x'), (e: Error & { hint?: string }) => /no Ollama server answers at http:\/\/127\.0\.0\.1:9/.test(e.message) && /ollama serve/.test(e.hint!));
  });
});
