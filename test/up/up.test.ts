/** `devstral up` end to end on the embedded runtime: the built CLI, real child processes, the generated GGUF. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let model: string;
let state: string;
const env = () => ({ ...process.env, DEVSTRAL_STATE_DIR: state, HF_HUB_OFFLINE: '1', OLLAMA_HOST: '127.0.0.1:9' });

function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: env(), encoding: 'utf8', timeout: 120_000 }, (error, out, err) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err }));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devstral-up-'));
  model = join(dir, 'tiny.gguf');
  await writeTinyGguf(model);
  state = join(dir, 'state');
});

describe('devstral up', () => {
  it('--dry-run prints the plan, on stdout (it is the result), and starts nothing', async () => {
    const r = await cli('up', '--model', model, '--dry-run', '--json');
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).plan.runtime, 'llamacpp');
    const text = await cli('up', '--model', model, '--dry-run');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /runtime +llama\.cpp/);
    assert.equal(text.err, '');
  });

  it('without --json: progress with elapsed times on stderr, the checks and how to connect on stdout', async (t) => {
    t.after(() => cli('down', 'text'));
    const r = await cli('up', '--model', model, '--ctx', '2048', '--port', 'auto', '--yes', '--detach', '--name', 'text');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Starting llamacpp and loading the model: done in [\d.]+ s/);
    assert.match(r.err, /Smoke test: chat, forced tool call, stream, JSON: done in [\d.]+ s/);
    assert.doesNotMatch(r.err, /Ready:|✔ chat/);
    assert.match(r.out, /✔ chat/);
    assert.match(r.out, /Ready: llamacpp serves "tiny" at http:\/\/127\.0\.0\.1:\d+\/v1/);
    assert.match(r.out, /Hand it to a coding agent: devstral launch claude\|codex\|.* \(every agent's settings: devstral connect/);
  });

  it('--detach -> status -> the openai client works -> down -> nothing left running', async (t) => {
    t.after(() => cli('down', 'e2e'));
    const up = await cli('up', '--model', model, '--ctx', '2048', '--port', 'auto', '--yes', '--detach', '--json', '--name', 'e2e');
    assert.equal(up.code, 0, up.err);
    const summary = JSON.parse(up.out);
    assert.match(summary.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.ok(alive(summary.pid));
    // Every agent's settings point at it, with the served id.
    const connect = await cli('connect', '--name', 'e2e', '--json');
    assert.equal(connect.code, 0, connect.err);
    const agents = JSON.parse(connect.out).agents as { id: string; exec?: { env: Record<string, string> } }[];
    assert.equal(agents.find((a) => a.id === 'qwen')!.exec!.env.OPENAI_BASE_URL, summary.baseUrl);
    assert.equal(agents.find((a) => a.id === 'claude')!.exec!.env.ANTHROPIC_MODEL, summary.model);

    const status = await cli('status', '--json');
    assert.equal(status.code, 0, status.err);
    const servers = JSON.parse(status.out) as { name: string; state: string }[];
    assert.equal(servers.find((s) => s.name === 'e2e')?.state, 'ready');

    // One rule for the context in up's smoke test and in health: 2048 tokens is below what an agent needs.
    const health = await cli('health', summary.baseUrl, '--json');
    const healthContext = (JSON.parse(health.out) as { reports: { checks: { name: string; status: string }[] }[] }).reports[0]!.checks.find((c) => c.name === 'context')!;
    const upContext = (summary.checks as { name: string; status: string }[]).find((c) => c.name === 'context')!;
    assert.deepEqual([upContext.status, healthContext.status], ['warn', 'warn']);

    const client = new OpenAI({ baseURL: summary.baseUrl, apiKey: 'none' });
    const r = await client.chat.completions.create({ model: summary.model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });
    assert.equal(r.choices.length, 1);

    const down = await cli('down', 'e2e');
    assert.equal(down.code, 0, down.err);
    await waitGone(summary.pid);
    assert.ok(!alive(summary.pid), 'the server process is gone');
    assert.equal((await cli('down', 'e2e')).code, 0, 'a second down is harmless');
    const again = await cli('status', '--json');
    assert.ok(!(JSON.parse(again.out) as { name: string }[]).some((s) => s.name === 'e2e'));
  });

  it('foreground up stopped with SIGINT leaves no process behind', async (t) => {
    t.after(() => cli('down', 'fg'));
    const child = spawn(process.execPath, [bin, 'up', '--model', model, '--ctx', '2048', '--port', 'auto', '--yes', '--name', 'fg', '--no-smoke'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        err += d;
        if (/Press Ctrl-C to stop/.test(err)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`up exited early (${code}):\n${err}\n${(() => { try { return readFileSync(join(state, 'logs', 'fg.log'), 'utf8'); } catch { return ''; } })()}`)));
    });
    const record = JSON.parse(readFileSync(join(state, 'servers', readdirSync(join(state, 'servers')).find((f) => f.startsWith('fg'))!), 'utf8')) as { pid: number };
    assert.ok(alive(record.pid));
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
      child.once('exit', (c, s) => resolve([c, s]));
      child.kill('SIGINT');
    });
    assert.equal(code, 0, `${signal}\n${err}`);
    assert.match(err, /Stopped the llamacpp server \(pid \d+\) and everything it started; the weights stay where they are/);
    await waitGone(record.pid);
    assert.ok(!alive(record.pid), 'the server child is gone');
  });

  it("a port held by devstral's own server is named as that server", async (t) => {
    t.after(() => cli('down', 'holder'));
    const first = await cli('up', '--model', model, '--ctx', '2048', '--port', 'auto', '--yes', '--detach', '--no-smoke', '--name', 'holder', '--json');
    assert.equal(first.code, 0, first.err);
    const port = new URL(JSON.parse(first.out).baseUrl).port;
    const r = await cli('up', '--model', model, '--port', port, '--yes', '--name', 'second');
    assert.notEqual(r.code, 0);
    assert.match(r.err, new RegExp(`port ${port} is in use by devstral's server "holder" \\(llamacpp, pid \\d+; \`devstral down holder\` stops it\\)`));
  });

  it('a busy port is an error that names the process holding it', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as { port: number }).port;
    try {
      const r = await cli('up', '--model', model, '--port', String(port), '--yes');
      assert.notEqual(r.code, 0);
      assert.match(r.err, new RegExp(`port ${port} is in use`));
    } finally {
      holder.close();
    }
  });
});
