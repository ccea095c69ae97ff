/**
 * The installed command (bin/devstral.cjs) gives `devstral serve` a libuv pool of one thread, unless the user set
 * UV_THREADPOOL_SIZE: an ES module entry would start the pool (4 threads) before any of our code could set it.
 * Linux only: it counts the server's threads in /proc.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const shim = fileURLToPath(new URL('../../bin/devstral.cjs', import.meta.url));

/** Starts `devstral serve` through the shim, waits until it answers /health, and counts its threads. */
async function serverThreads(model: string, env: NodeJS.ProcessEnv): Promise<number> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [shim, 'serve', '--model', model, '--port', String(port), '--threads', '1'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (i > 1200) throw new Error(`serve did not become ready: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return readdirSync(`/proc/${child.pid}/task`).length;
  } finally {
    child.kill('SIGKILL');
  }
}

it('devstral serve runs with a one-thread libuv pool unless UV_THREADPOOL_SIZE says otherwise', { skip: !existsSync('/proc/self/task') }, async () => {
  const model = join(mkdtempSync(join(tmpdir(), 'devstral-pool-')), 'tiny.gguf');
  await writeTinyGguf(model);
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  const byDefault = await serverThreads(model, env);
  const withFour = await serverThreads(model, { ...env, UV_THREADPOOL_SIZE: '4' });
  assert.equal(withFour - byDefault, 3, `threads: ${byDefault} by default, ${withFour} with UV_THREADPOOL_SIZE=4`);
});
