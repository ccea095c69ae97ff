import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DevstralError } from '../../src/errors.js';
import { claimServer, readRecord, readRegistry, removeRecord, serverLogPath, sweepRegistry, writeRecord } from '../../src/supervise/registry.js';
import { makeRecord, useTempStateDir } from './supervisionHelpers.js';

const state = useTempStateDir();
const serversDir = join(state, 'servers');

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

describe('registry', () => {
  it('writes, reads and removes records; files are private and written atomically', async () => {
    const record = makeRecord({ name: 'alpha', pid: process.pid, port: 18001, apiKey: 'sk-test', reused: false });
    await writeRecord(record);
    assert.deepEqual(await readRecord('alpha'), record);
    assert.deepEqual(await readRegistry(), [record]);
    if (process.platform !== 'win32') assert.equal(statSync(join(serversDir, 'alpha.json')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(serversDir), ['alpha.json'], 'no temp files left');
    await writeRecord({ ...record, port: 18002 });
    assert.equal((await readRecord('alpha'))?.port, 18002);
    assert.equal(await removeRecord('alpha'), true);
    assert.equal(await removeRecord('alpha'), false);
    assert.equal(await readRecord('alpha'), undefined);
    assert.deepEqual(await readRegistry(), []);
  });

  it('removes the records of processes that have exited', async () => {
    const pid = await deadPid();
    await writeRecord(makeRecord({ name: 'gone', pid, port: 18003 }));
    await writeRecord(makeRecord({ name: 'here', pid: process.pid, port: 18004 }));
    const { live, dead } = await sweepRegistry();
    assert.deepEqual(live.map((r) => r.name), ['here']);
    assert.deepEqual(dead.map((r) => r.name), ['gone']);
    assert.equal(existsSync(join(serversDir, 'gone.json')), false);
    assert.deepEqual((await readRegistry()).map((r) => r.name), ['here']);

    // Started before the last boot: whatever runs under that pid now is another process.
    await writeRecord(makeRecord({ name: 'preboot', pid: process.pid, port: 18006, startedAt: new Date(Date.now() - (uptime() + 3600) * 1000).toISOString() }));
    assert.equal(await readRecord('preboot'), undefined);

    await writeRecord(makeRecord({ name: 'gone2', pid: await deadPid(), port: 18005 }));
    assert.equal(await readRecord('gone2'), undefined);
    assert.equal(existsSync(join(serversDir, 'gone2.json')), false);
    await removeRecord('here');
  });

  it('keeps a reused server without a pid (only probes can tell) and ignores unreadable files', async () => {
    await writeRecord(makeRecord({ name: 'ollama', runtime: 'ollama', pid: 0, pgid: 0, port: 11434, reused: true }));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(serversDir, 'broken.json'), '{not json');
    assert.deepEqual((await readRegistry()).map((r) => r.name), ['ollama']);
    await removeRecord('ollama');
    await removeRecord('broken');
  });

  it('claimServer: a live server with the same name or port conflicts, a dead one does not', async () => {
    await writeRecord(makeRecord({ name: 'main', pid: process.pid, port: 18010 }));
    await writeRecord(makeRecord({ name: 'old', pid: await deadPid(), port: 18011 }));
    await assert.rejects(claimServer({ name: 'main', host: '127.0.0.1', port: 18099 }), (error: DevstralError) => {
      assert.equal(error.code, 'server');
      assert.match(error.message, new RegExp(`a server named main already runs \\(pid ${process.pid}, port 18010\\)`));
      assert.match(error.hint ?? '', /devstral down main.*--name/);
      return true;
    });
    await assert.rejects(claimServer({ name: 'other', host: '127.0.0.1', port: 18010 }), (error: DevstralError) => {
      assert.equal(error.code, 'server');
      assert.match(error.message, /port 18010 is taken by the server main/);
      assert.match(error.hint ?? '', /devstral down main.*--port/);
      return true;
    });
    await claimServer({ name: 'old', host: '127.0.0.1', port: 18011 });
    await claimServer({ name: 'new', host: '127.0.0.1', port: 18012 });
    await assert.rejects(claimServer({ name: '../evil', host: '127.0.0.1', port: 1 }), { code: 'usage' });
    await removeRecord('main');
  });

  it('log paths live under the state directory', () => {
    assert.equal(serverLogPath('alpha'), join(state, 'logs', 'alpha.log'));
  });
});
