/**
 * `devstral serve` started by hand (as `npx devstral serve` starts it: the child of another process): `status` and
 * `down` see it, and it stops when the process that started it goes, instead of running on under init.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isProcessAlive } from '../../src/supervise/processAlive.ts';
import { freePort } from '../support/startServe.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let dir: string;
let model: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'devstral-standalone-'));
  model = join(dir, 'tiny.gguf');
  await writeTinyGguf(model);
});

const env = () => ({ ...process.env, DEVSTRAL_STATE_DIR: join(dir, 'state') });
const recordPath = (port: number) => join(dir, 'state', 'servers', `serve-${port}.json`);

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A parent (standing in for npx) that starts `devstral serve` and then just waits. */
async function startUnderParent(port: number) {
  const script = `require('child_process').spawn(process.execPath, ${JSON.stringify([bin, 'serve', '--model', model, '--port', String(port), '--threads', '1'])}, { stdio: 'ignore' }); setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', script], { env: env(), stdio: 'ignore' });
  await until('the server to record itself', () => existsSync(recordPath(port)));
  const pid = (JSON.parse(readFileSync(recordPath(port), 'utf8')) as { pid: number }).pid;
  return { parent, pid };
}

const cli = (...args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], { env: env(), encoding: 'utf8' }, (error, out, err) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err })),
  );

describe('devstral serve started by hand', () => {
  it('status and down see it', async () => {
    const port = await freePort();
    const { parent, pid } = await startUnderParent(port);
    try {
      const status = await cli('status', '--json');
      assert.match(status.out, new RegExp(`serve-${port}`));
      const down = await cli('down', `serve-${port}`);
      assert.equal(down.code, 0, down.err);
      assert.match(down.out, /Stopped serve-\d+/);
      await until('the server to exit', () => !isProcessAlive(pid));
      assert.ok(parent.exitCode === null, 'the process that started it is not stopped with it');
      assert.ok(!existsSync(recordPath(port)));
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('stops when the process that started it is killed', async () => {
    const port = await freePort();
    const { parent, pid } = await startUnderParent(port);
    parent.kill('SIGKILL');
    await until('the server to notice its parent is gone and exit', () => !isProcessAlive(pid));
    await until('its record to go', () => !existsSync(recordPath(port)));
  });
});
