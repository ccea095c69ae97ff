/** `devstral health` as users run it: the built CLI in a child process against scripted servers; verdicts and exit codes. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { EndpointReport } from '../../src/health/endpointReport.ts';
import { writeRecord } from '../../src/supervise/registry.ts';
import { freePort, runCli, startFake, type Behaviour, type Fake } from './fakeEndpoint.ts';

const fakes: Fake[] = [];
after(() => Promise.all(fakes.map((f) => f.close())));
async function fake(behaviour: Behaviour, port?: number): Promise<Fake> {
  const f = await startFake(behaviour, port);
  fakes.push(f);
  return f;
}
const noServers = () => ({ DEVSTRAL_STATE_DIR: mkdtempSync(join(tmpdir(), 'devstral-health-state-')) });
/** --json prints one document, `{ verdict, reports }`, whatever the outcome. */
const healthJson = (out: string) => JSON.parse(out) as { verdict: string; reports: EndpointReport[] };
const firstJson = (out: string) => healthJson(out).reports[0]!;

describe('devstral health', () => {
  it('a good server: every check in text, exit 0', async () => {
    const f = await fake({ card: { context_length: 65536 } });
    const r = await runCli(['health', f.url]);
    assert.equal(r.code, 0, r.err);
    for (const line of ['✔ reachable', '✔ health', '✔ models', '✔ chat', '✔ streaming', '✔ tool-call', '✔ json-mode', '✔ context', 'healthy: every required check passed']) assert.ok(r.out.includes(line), line);
  });

  it('unreachable: exit 8, said once; --json prints one document of the one shape', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const text = await runCli(['health', url]);
    assert.equal(text.code, 8, text.out + text.err);
    assert.match(text.out, /✖ reachable .*connection refused/);
    assert.equal((text.out + text.err).match(/refused/g)?.length, 1, text.out + text.err);
    assert.match(text.out, /^unreachable: nothing else was checked/m);
    assert.equal(text.err, '');
    const json = await runCli(['health', url, '--json']);
    assert.equal(json.code, 8);
    const doc = healthJson(json.out);
    assert.equal(doc.verdict, 'unreachable');
    assert.equal(doc.reports.length, 1);
    assert.equal(doc.reports[0]!.verdict, 'unreachable');
  });

  it('an empty answer fails the chat check', async () => {
    const f = await fake({ chat: 'empty' });
    const r = await runCli(['health', f.url, '--json']);
    assert.equal(r.code, 9, r.out);
    const chat = firstJson(r.out).checks.find((c) => c.name === 'chat')!;
    assert.equal(chat.status, 'fail');
    assert.match(chat.detail, /the answer is empty/);
  });

  it('vLLM with --wait: connection refused while it loads, then ready: exit 0', async () => {
    const port = await freePort();
    let started = false;
    const r = await runCli(['health', `http://127.0.0.1:${port}/v1`, '--wait', '60', '--json'], {
      onOutput: (_out, err) => {
        if (!started && err.includes('waiting for')) {
          started = true;
          void fake({ health: 'vllm', card: { max_model_len: 131072 } }, port);
        }
      },
    });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /waiting for .*connection refused/);
    const report = firstJson(r.out);
    assert.equal(report.verdict, 'healthy');
    assert.equal(report.contextLength, 131072);
  });

  it('llama-server: 503 while loading is unhealthy (exit 9); --wait waits it out (exit 0)', async () => {
    const f = await fake({ health: 'loading' });
    const loading = await runCli(['health', f.url, '--json']);
    assert.equal(loading.code, 9);
    const report = firstJson(loading.out);
    assert.equal(report.verdict, 'unhealthy');
    assert.equal(report.checks.find((c) => c.name === 'health')?.status, 'fail');
    const waited = await runCli(['health', f.url, '--wait', '60'], {
      onOutput: (_out, err) => {
        if (err.includes('waiting for')) f.behaviour.health = 'ok';
      },
    });
    assert.equal(waited.code, 0, waited.err);
    assert.match(waited.err, /waiting for .*: Loading model/);
  });

  it("Ollama's /v1, leaked [TOOL_CALLS], malformed SSE, death mid-stream: unhealthy, exit 9", async () => {
    const cases: [Behaviour, string, RegExp][] = [
      [{ health: 'none', tools: 'text', ollama: { numCtx: 4096 } }, 'tool-call', /Ollama's \/v1 ignores tool_choice/],
      [{ tools: 'leak' }, 'tool-call', /\[TOOL_CALLS\]/],
      [{ sse: 'malformed' }, 'streaming', /not JSON/],
      [{ sse: 'die' }, 'streaming', /broke after 2 chunks/],
    ];
    for (const [behaviour, failed, why] of cases) {
      const f = await fake(behaviour);
      const r = await runCli(['health', f.url, '--json']);
      assert.equal(r.code, 9, JSON.stringify(behaviour));
      const check = firstJson(r.out).checks.find((c) => c.name === failed)!;
      assert.equal(check.status, 'fail');
      assert.match(check.detail, why);
      assert.equal(healthJson(r.out).verdict, 'unhealthy');
      assert.equal(r.err, '', 'one JSON document; nothing repeated on stderr');
    }
  });

  it('an API key: missing -> exit 9 saying so; from --api-key or OPENAI_API_KEY -> exit 0', async () => {
    const f = await fake({ apiKey: 'sekret' });
    const none = await runCli(['health', f.url]);
    assert.equal(none.code, 9);
    assert.match(none.out, /✖ models .*needs an API key/);
    assert.equal((await runCli(['health', f.url, '--api-key', 'sekret'])).code, 0);
    assert.equal((await runCli(['health', f.url], { env: { OPENAI_API_KEY: 'sekret' } })).code, 0);
  });

  it('--model picks one of several; --min-ctx sets the context an agent needs', async () => {
    const f = await fake({ models: ['a', 'b'], card: { context_length: 16384 } });
    assert.equal((await runCli(['health', f.url])).code, 9);
    const r = await runCli(['health', f.url, '--model', 'b', '--min-ctx', '16k', '--json']);
    assert.equal(r.code, 0, r.err);
    const report = firstJson(r.out);
    assert.equal(report.model, 'b');
    assert.equal(report.checks.find((c) => c.name === 'context')?.status, 'pass');
  });

  it('usage errors: exit 2', async () => {
    assert.equal((await runCli(['health', 'ftp://x'])).code, 2);
    assert.equal((await runCli(['health', 'http://127.0.0.1:9', '--wait', 'soon'])).code, 2);
  });

  it('without a URL: the servers of devstral up, or a clear message when there are none', async () => {
    const empty = await runCli(['health'], { env: noServers() });
    assert.equal(empty.code, 8, 'the documented code for nothing to reach, not the usage code');
    assert.match(empty.err, /no server to check[\s\S]*give its URL/);
    const env = noServers();
    const f = await fake({ apiKey: 'k1', models: ['one', 'two'] });
    const saved = process.env.DEVSTRAL_STATE_DIR;
    process.env.DEVSTRAL_STATE_DIR = env.DEVSTRAL_STATE_DIR;
    try {
      await writeRecord({ name: 'main', runtime: 'llamacpp', pid: process.pid, pgid: process.pid, host: '127.0.0.1', port: f.port, baseUrl: `${f.url}/v1`, model: 'x.gguf', servedModel: 'two', apiKey: 'k1', logPath: '/dev/null', startedAt: new Date().toISOString(), command: ['devstral', 'serve'] });
    } finally {
      if (saved === undefined) delete process.env.DEVSTRAL_STATE_DIR;
      else process.env.DEVSTRAL_STATE_DIR = saved;
    }
    const r = await runCli(['health', '--json'], { env });
    assert.equal(r.code, 0, r.err);
    const { reports } = healthJson(r.out);
    assert.deepEqual(reports.map((x) => [x.baseUrl, x.model, x.verdict]), [[`${f.url}/v1`, 'two', 'healthy']]);
  });

  it('--watch prints what changed until Ctrl-C; the last round decides the exit code', async () => {
    const f = await fake({});
    let interrupted = false;
    const r = await runCli(['health', f.url, '--watch', '1'], {
      onOutput: (out, _err, kill) => {
        if (out.includes('healthy: every required check passed')) f.behaviour.tools = 'leak';
        if (out.includes('unhealthy: tool-call failed') && !interrupted) {
          interrupted = true;
          kill('SIGINT');
        }
      },
    });
    assert.equal(r.code, 9, r.err);
    const lines = r.out.trim().split('\n');
    const changes = lines.slice(lines.findIndex((l) => l.startsWith('healthy')) + 1);
    assert.equal(changes.length, 2, r.out);
    assert.match(changes[0]!, /^\d\d:\d\d:\d\d http:\/\/127\.0\.0\.1:\d+\/v1 tool-call: ✔ -> ✖ the tool call leaked/);
    assert.match(changes[1]!, /unhealthy: tool-call failed$/);
  });
});
