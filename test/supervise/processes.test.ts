import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DevstralError } from '../../src/errors.js';
import { followFile, startProcess, stopProcessGroup, tailFile } from '../../src/supervise/startProcess.js';
import { alive, childScript, useTempStateDir, waitFor, waitForLogLine } from './supervisionHelpers.js';

const state = useTempStateDir();
const posix = process.platform !== 'win32';
const started: number[] = [];
after(async () => {
  for (const pid of started) await stopProcessGroup(pid, { timeoutMs: 1000 });
});

async function startChild(name: string, ...flags: string[]) {
  const logPath = join(state, 'logs', `${name}.log`);
  const child = await startProcess({ file: process.execPath, args: [childScript, ...flags, '--api-key', 'sk-secret'], env: { MARKER: name }, logPath });
  started.push(child.pid);
  await waitForLogLine(logPath, /^(child \d+ started)$/);
  return { child, logPath };
}

describe('startProcess', () => {
  it('runs the child in its own process group, output appended to the log after a header', async () => {
    const { child, logPath } = await startChild('header');
    assert.ok(child.isAlive());
    const text = readFileSync(logPath, 'utf8');
    assert.match(text, /^\n==> \d{4}-\d\d-\d\dT[\d:.]+Z .*child\.mjs --api-key '\*\*\*'\n/);
    assert.ok(!text.includes('sk-secret'), 'API keys are masked in the log');
    assert.match(text, new RegExp(`child ${child.pid} started`));
    if (posix) {
      const pgid = Number(String(execFileSync('ps', ['-o', 'pgid=', '-p', String(child.pid)])).trim());
      assert.equal(pgid, child.pid, 'the child leads its own process group');
    }
    assert.equal(await stopProcessGroup(child.pid), 'stopped');
    assert.equal(child.isAlive(), false);
    assert.equal((await child.exited).signal ?? String((await child.exited).code), posix ? 'SIGTERM' : '1');
  });

  it('a missing executable is a runtimeMissing error', async () => {
    await assert.rejects(
      startProcess({ file: 'devstral-no-such-runtime', args: [], env: {}, logPath: join(state, 'logs', 'missing.log') }),
      (error: DevstralError) => error instanceof DevstralError && error.code === 'runtimeMissing' && /devstral-no-such-runtime not found/.test(error.message),
    );
  });

  it('the child keeps running and logging after the process that started it exits', async () => {
    const logPath = join(state, 'logs', 'orphan.log');
    const module = new URL('../../src/supervise/startProcess.ts', import.meta.url).href;
    const script = `const { startProcess } = await import(${JSON.stringify(module)});
      const p = await startProcess({ file: process.execPath, args: [${JSON.stringify(childScript)}, '--serve'], env: {}, logPath: ${JSON.stringify(logPath)} });
      console.log(p.pid);`;
    const starter = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    starter.stdout.on('data', (d: Buffer) => (out += d));
    const [code] = await once(starter, 'close');
    assert.equal(code, 0, 'the starter exits without waiting for its child');
    const pid = Number(out.trim());
    started.push(pid);
    assert.ok(alive(pid), 'the child outlives it');
    const port = await waitForLogLine(logPath, /^listening (\d+)$/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    assert.equal(await stopProcessGroup(pid), 'stopped');
    await waitFor('the child to be reaped', () => !alive(pid));
  });
});

describe('stopProcessGroup', () => {
  it('stops the process and its grandchild; a second stop is harmless', { skip: !posix && 'process groups are POSIX' }, async () => {
    const { child, logPath } = await startChild('family', '--grandchild');
    const grandchild = Number(await waitForLogLine(logPath, /^grandchild (\d+)$/));
    assert.ok(alive(child.pid) && alive(grandchild));
    assert.equal(await stopProcessGroup(child.pid, { timeoutMs: 10_000 }), 'stopped');
    // Gone means exited; being reaped (by us, or by init for the orphaned grandchild) can take a moment more.
    await waitFor('the child to be reaped', () => !alive(child.pid));
    await waitFor('the grandchild to be reaped', () => !alive(grandchild));
    assert.equal(await stopProcessGroup(child.pid), 'not-running');
  });

  it('a child that ignores SIGTERM gets SIGKILL after the timeout', { skip: !posix && 'signals are POSIX' }, async () => {
    const { child, logPath } = await startChild('stubborn', '--ignore-term');
    await waitForLogLine(logPath, /^(ignoring SIGTERM)$/);
    assert.equal(await stopProcessGroup(child.pid, { timeoutMs: 300 }), 'killed');
    assert.deepEqual(await child.exited, { code: null, signal: 'SIGKILL' });
    assert.ok(!alive(child.pid));
    assert.match(readFileSync(logPath, 'utf8'), /SIGTERM ignored/);
  });

  it('a process that outlives SIGKILL (stuck in a driver) is reported as surviving, not as killed', { skip: !posix && 'signals are POSIX' }, async () => {
    const { child, logPath } = await startChild('stuck', '--ignore-term');
    await waitForLogLine(logPath, /^(ignoring SIGTERM)$/);
    // Signals that never arrive stand in for a process in uninterruptible sleep: it is really still there.
    const sent: string[] = [];
    const outcome = await stopProcessGroup(child.pid, { timeoutMs: 200, killWaitMs: 300, kill: (_pid, signal) => void sent.push(signal) });
    assert.equal(outcome, 'survived');
    assert.deepEqual([...new Set(sent)], ['SIGTERM', 'SIGKILL']);
    assert.ok(alive(child.pid));
    assert.equal(await stopProcessGroup(child.pid, { timeoutMs: 300 }), 'killed');
  });

  it('a pid that does not exist is not running', async () => {
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(gone, 'exit');
    assert.equal(await stopProcessGroup(gone.pid!), 'not-running');
  });
});

describe('tailFile and followFile', () => {
  const path = join(state, 'tail.log');

  it('tailFile returns the last lines, across read chunks', async () => {
    assert.deepEqual(await tailFile(join(state, 'none.log'), 5), []);
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    assert.deepEqual(await tailFile(path, 3), lines.slice(-3));
    assert.deepEqual(await tailFile(path, 5000), lines.slice(-5000));
    assert.deepEqual(await tailFile(path, 0), []);
    writeFileSync(path, 'only\nno newline at end');
    assert.deepEqual(await tailFile(path, 5), ['only', 'no newline at end']);
    assert.deepEqual(await tailFile(path, 1, 5), ['only'], 'up to a byte offset');
  });

  it('followFile sees appended lines, partial lines once complete, and stops on abort', async () => {
    writeFileSync(path, 'old\n');
    const seen: string[] = [];
    const controller = new AbortController();
    const following = followFile(path, (line) => seen.push(line), controller.signal, { pollMs: 20 });
    await new Promise((r) => setTimeout(r, 100)); // let it take the file's current end
    appendFileSync(path, 'one\ntw');
    await waitFor('line one', () => seen.includes('one'));
    appendFileSync(path, 'o\nthree\n');
    await waitFor('lines two and three', () => seen.includes('three'));
    controller.abort();
    await following;
    assert.deepEqual(seen, ['one', 'two', 'three']);
  });
});
