/** `devstral health` against our own server: `devstral serve` on a tiny random-weight GGUF the suite writes. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EndpointReport } from '../../src/health/endpointReport.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';
import { freePort, runCli } from './fakeEndpoint.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const KEY = 'health-key';
let server: ChildProcess;
let url: string;
let log = '';

before(async () => {
  const model = join(mkdtempSync(join(tmpdir(), 'devstral-health-')), 'tiny.gguf');
  await writeTinyGguf(model);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [bin, 'serve', '--model', model, '--port', String(port), '--threads', '1', '--api-key', KEY], { stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr!.on('data', (d) => (log += d));
});

after(async () => {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
});

describe('devstral health against devstral serve', () => {
  it('--wait through the load, then every required check passes (forced tool call, JSON mode): exit 0', async () => {
    const r = await runCli(['health', url, '--wait', '120', '--min-ctx', '1024', '--json'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(r.code, 0, `${r.out}\n${r.err}\n${log}`);
    const report = (JSON.parse(r.out) as { reports: EndpointReport[] }).reports[0]!;
    assert.equal(report.verdict, 'healthy');
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    for (const name of ['reachable', 'health', 'models', 'chat', 'streaming', 'tool-call', 'context']) assert.equal(status[name], 'pass', `${name}: ${JSON.stringify(report.checks)}`);
    // Grammar-constrained JSON from random weights may run past the small max_tokens: that is a warning.
    assert.ok(status['json-mode'] === 'pass' || status['json-mode'] === 'warn');
    assert.match(report.checks.find((c) => c.name === 'tool-call')!.detail, /^get_weather\(\{\s*"unit":\s*"[cf]"\s*\}\)/);
    assert.equal(report.model, 'tiny');
    assert.equal(typeof report.contextLength, 'number');
    assert.equal(typeof report.ttftMs, 'number');
  });

  it('without the key: models fails saying an API key is needed, exit 9', async () => {
    const r = await runCli(['health', url, '--json']);
    assert.equal(r.code, 9);
    const report = (JSON.parse(r.out) as { reports: EndpointReport[] }).reports[0]!;
    assert.match(report.checks.find((c) => c.name === 'models')!.detail, /needs an API key/);
  });
});
