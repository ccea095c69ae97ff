/** The built `devstral serve` in a child process on a free loopback port, ready when /health answers 200. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startServe(args: string[], { timeoutMs = 60_000 }: { timeoutMs?: number } = {}): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`devstral serve exited with ${child.exitCode}:\n${stderr}`);
    const ok = await fetch(`${origin}/health`).then((r) => r.status === 200, () => false);
    if (ok) return { child, origin, stderr: () => stderr, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`devstral serve was not ready after ${timeoutMs} ms:\n${stderr}`);
}
