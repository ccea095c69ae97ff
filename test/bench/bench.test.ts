/** `devstral bench` against a scripted streaming server on 127.0.0.1 (no timing assertions). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { percentiles, summarizeLevel } from '../../src/bench/summarizeLevel.ts';
import { agentMessages, AGENT_TOOLS } from '../../src/bench/workloads.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let server: Server;
let url: string;
let count = 0;
const bodies: { messages: unknown[]; tools?: unknown[]; stream?: boolean }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"m"}]}');
      bodies.push(JSON.parse(body));
      count++;
      if (count % 3 === 0) return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object) => `data: ${JSON.stringify({ choices: [{ index: 0, delta }] })}\n\n`;
      let i = 0;
      const timer = setInterval(() => {
        if (i < 5) res.write(chunk({ content: `t${i++} ` }));
        else {
          clearInterval(timer);
          res.end(`data: ${JSON.stringify({ choices: [], usage: { completion_tokens: 5 } })}\n\ndata: [DONE]\n\n`);
        }
      }, 5);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

function bench(state: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [bin, 'bench', ...args], { env: { ...process.env, DEVSTRAL_STATE_DIR: state }, encoding: 'utf8' }, (e, out, err) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err })),
  );
}

describe('bench', () => {
  it('percentiles and level summaries', () => {
    assert.deepEqual(percentiles([5, 1, 3, 2, 4]), { p50: 3, p90: 5, p99: 5 });
    assert.equal(percentiles([]), null);
    const s = summarizeLevel(2, [
      { ok: true, ttftMs: 10, gapsMs: [1, 2], outputTokens: 3, totalMs: 20 },
      { ok: false, error: 'HTTP 500', gapsMs: [], outputTokens: 0, totalMs: 5 },
    ], 1000);
    assert.equal(s.errors, 1);
    assert.equal(s.aggregateTokensPerSecond, 3);
    assert.deepEqual(s.errorSamples, ['HTTP 500']);
    assert.equal(s.perRequestTokensPerSecond!.p50, 200);
  });

  it('the agent workload sends tool schemas and a history that grows', () => {
    const r = () => 0.5;
    assert.ok(agentMessages(3, r, 64).length > agentMessages(1, r, 64).length);
    assert.equal(agentMessages(0, r, 64)[0]!.role, 'system');
    assert.ok(AGENT_TOOLS.some((t) => t.function.name === 'str_replace_editor'));
  });

  it('runs each concurrency level, counts errors, writes JSON and the history', async () => {
    const state = mkdtempSync(join(tmpdir(), 'devstral-bench-'));
    const r = await bench(state, url, '--concurrency', '1,3', '--requests', '6', '--max-tokens', '5', '--json');
    assert.equal(r.code, 0, r.err);
    const run = JSON.parse(r.out);
    assert.equal(run.model, 'm');
    assert.deepEqual(run.levels.map((l: { concurrency: number; requests: number }) => [l.concurrency, l.requests]), [[1, 6], [3, 6]]);
    assert.equal(run.levels.reduce((n: number, l: { errors: number }) => n + l.errors, 0), 4, 'every third request fails');
    assert.ok(run.levels.every((l: { ttftMs: unknown; aggregateTokensPerSecond: number }) => l.ttftMs && l.aggregateTokensPerSecond > 0));
    assert.ok(bodies.every((b) => b.stream === true));
    const agent = await bench(state, url, '--workload', 'agent', '--concurrency', '2', '--requests', '2');
    assert.equal(agent.code, 0, agent.err);
    assert.match(agent.out, /concurrency\s+requests\s+errors\s+TTFT ms/);
    assert.ok(bodies.at(-1)!.tools?.length, 'the agent workload sends tools');
    const history = await bench(state, '--history');
    assert.equal(history.out.trim().split('\n').length, 3, 'a header and two runs');
  });

  it('against the embedded server on the generated model', async () => {
    const { spawn } = await import('node:child_process');
    const { writeTinyGguf } = await import('../support/writeTinyGguf.ts');
    const dir = mkdtempSync(join(tmpdir(), 'devstral-bench-serve-'));
    await writeTinyGguf(join(dir, 'tiny.gguf'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [bin, 'serve', '--model', join(dir, 'tiny.gguf'), '--port', String(port), '--parallel', '2', '--threads', '1'], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 400; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const r = await bench(dir, `http://127.0.0.1:${port}`, '--concurrency', '1,2', '--requests', '2', '--max-tokens', '8', '--json');
      assert.equal(r.code, 0, r.err);
      const run = JSON.parse(r.out);
      for (const level of run.levels) {
        assert.equal(level.errors, 0);
        assert.ok(level.aggregateTokensPerSecond > 0);
      }
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('an unreachable endpoint exits 8; a bad workload is a usage error', async () => {
    const state = mkdtempSync(join(tmpdir(), 'devstral-bench-'));
    assert.equal((await bench(state, 'http://127.0.0.1:9')).code, 8);
    assert.equal((await bench(state, url, '--workload', 'chaos')).code, 2);
  });
});
