/** status, logs and down through the built CLI, against stand-in servers registered like `up --detach` does. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readRegistry, serverLogPath, writeRecord } from '../../src/supervise/registry.js';
import { startProcess, stopProcessGroup } from '../../src/supervise/startProcess.js';
import { alive, childScript, makeRecord, useTempStateDir, waitFor, waitForLogLine } from './supervisionHelpers.js';

const state = useTempStateDir();
const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const started: number[] = [];
after(async () => {
  for (const pid of started) await stopProcessGroup(pid, { timeoutMs: 1000 });
});

function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, DEVSTRAL_STATE_DIR: state } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  return once(child, 'close').then(([code]) => ({ code: code as number | null, out, err }));
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** A stand-in server started and registered the way `up --detach` does it. */
async function startServer(name: string, env: Record<string, string> = {}) {
  const logPath = serverLogPath(name);
  const child = await startProcess({ file: process.execPath, args: [childScript, '--serve', '--grandchild'], env, logPath });
  started.push(child.pid);
  const port = Number(await waitForLogLine(logPath, /^listening (\d+)$/));
  const grandchild = Number(await waitForLogLine(logPath, /^grandchild (\d+)$/));
  const record = makeRecord({ name, pid: child.pid, port, logPath, apiKey: 'sk-x', startedAt: new Date(Date.now() - 65_000).toISOString() });
  await writeRecord(record);
  return { record, grandchild };
}

describe('status, logs, down (built CLI)', () => {
  it('nothing running: status is empty, down is harmless, logs says so', async () => {
    assert.match((await cli('status')).out, /No servers running/);
    assert.deepEqual(JSON.parse((await cli('status', '--json')).out), []);
    const down = await cli('down');
    assert.equal(down.code, 0);
    assert.match(down.out, /Nothing to stop/);
    const logs = await cli('logs');
    assert.equal(logs.code, 2);
    assert.match(logs.err, /no server is running/);
  });

  it('one server: status ready, logs (all, --lines, -f), down stops the whole group, twice is harmless', async () => {
    const { record, grandchild } = await startServer('solo');
    const status = await cli('status');
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /^NAME\s+RUNTIME\s+STATE\s+PID\s+URL\s+MODEL\s+UPTIME\n/);
    assert.match(status.out, new RegExp(`solo\\s+llamacpp\\s+ready\\s+${record.pid}\\s+${record.baseUrl.replace(/[./]/g, '\\$&')}\\s+test-model\\s+1m \\d+s`));
    const [json] = JSON.parse((await cli('status', '--json')).out);
    assert.equal(json.state, 'ready');
    assert.equal(json.requiresApiKey, true);
    assert.equal('apiKey' in json, false, 'the key is not printed');
    assert.ok(json.uptimeSeconds >= 65);

    const logs = await cli('logs');
    assert.equal(logs.code, 0, logs.err);
    assert.match(logs.out, /^\n==> .*child\.mjs --serve --grandchild\nchild \d+ started\n/);
    assert.equal((await cli('logs', 'solo', '--lines', '1')).out, `listening ${record.port}\n`);
    assert.equal((await cli('logs', '--lines', '2')).out.split('\n').length, 3);
    assert.equal((await cli('logs', '--lines', 'x')).code, 2);

    const follow = spawn(process.execPath, [bin, 'logs', '-f', '--lines', '0'], { env: { ...process.env, DEVSTRAL_STATE_DIR: state } });
    let followed = '';
    follow.stdout.on('data', (d: Buffer) => (followed += d));
    // Lines appended until the follower shows one: however long it takes to start, it prints only lines written
    // after it reached the end of the log, each whole.
    let tick = 0;
    const appending = setInterval(() => appendFileSync(record.logPath, `appended while following ${tick++}\n`), 200);
    try {
      await waitFor('an appended line', () => followed.includes('\n'));
    } finally {
      clearInterval(appending);
    }
    follow.kill('SIGINT');
    const [code] = await once(follow, 'close');
    assert.equal(code, 0, 'Ctrl-C ends logs -f');
    assert.match(followed, /^(appended while following \d+\n)+$/);

    const down = await cli('down');
    assert.equal(down.code, 0, down.err);
    assert.match(down.out, new RegExp(`Stopped solo \\(pid ${record.pid}, `));
    await waitFor('the server to be gone', () => !alive(record.pid));
    await waitFor('its grandchild to be gone', () => !alive(grandchild));
    assert.equal(existsSync(join(state, 'servers', 'solo.json')), false);
    const again = await cli('down', 'solo');
    assert.equal(again.code, 0);
    assert.match(again.out, /Nothing to stop: no server named solo is running/);
    assert.match((await cli('logs', 'solo')).out, /listening/, 'the log of a stopped server stays readable');
  });

  it('several servers: down and logs need a name or --all; states starting, unhealthy and dead', async () => {
    const a = await startServer('a-ready');
    const b = await startServer('b-sick', { HEALTH_STATUS: '500' });
    // Alive, but nothing listens on its port yet: starting.
    const idle = await startProcess({ file: process.execPath, args: [childScript], env: {}, logPath: serverLogPath('c-loading') });
    started.push(idle.pid);
    await writeRecord(makeRecord({ name: 'c-loading', pid: idle.pid, port: await freePort() }));
    // A process that has exited: dead, and forgotten.
    const gone = spawn(process.execPath, ['-e', '0']);
    await once(gone, 'exit');
    await writeRecord(makeRecord({ name: 'd-dead', pid: gone.pid!, port: await freePort() }));

    const statuses = JSON.parse((await cli('status', '--json')).out) as { name: string; state: string }[];
    assert.deepEqual(statuses.map((s) => [s.name, s.state]), [['a-ready', 'ready'], ['b-sick', 'unhealthy'], ['c-loading', 'starting'], ['d-dead', 'dead']]);
    assert.deepEqual((await readRegistry()).map((r) => r.name), ['a-ready', 'b-sick', 'c-loading']);
    assert.match((await cli('status')).out, /b-sick: health 500, models 500; see `devstral logs b-sick`/);

    const ambiguous = await cli('down');
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.err, /3 servers are running: a-ready, b-sick, c-loading/);
    assert.match(ambiguous.err, /--all/);
    assert.equal((await cli('logs')).code, 2);
    assert.equal((await cli('down', 'a-ready', '--all')).code, 2);

    const one = await cli('down', 'b-sick', '--timeout', '5');
    assert.match(one.out, /Stopped b-sick/);
    await waitFor('b-sick to be gone', () => !alive(b.record.pid));
    assert.ok(alive(a.record.pid), 'the others keep running');

    const all = await cli('down', '--all');
    assert.equal(all.code, 0, all.err);
    assert.match(all.out, /Stopped a-ready[\s\S]*Stopped c-loading/);
    for (const pid of [a.record.pid, a.grandchild, b.grandchild, idle.pid]) await waitFor(`pid ${pid} to be gone`, () => !alive(pid));
    assert.deepEqual(await readRegistry(), []);
  });

  it('a reused Ollama server is forgotten, never stopped', async () => {
    const keeper = await startProcess({ file: process.execPath, args: [childScript], env: {}, logPath: serverLogPath('ollama') });
    started.push(keeper.pid);
    await writeRecord(makeRecord({ name: 'ollama', runtime: 'ollama', pid: keeper.pid, port: await freePort(), reused: true }));
    const down = await cli('down');
    assert.match(down.out, /Forgot ollama: an Ollama server devstral did not start, left running/);
    assert.ok(alive(keeper.pid));
    assert.deepEqual(await readRegistry(), []);
  });
});
