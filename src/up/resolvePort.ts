/** `--port N|auto`: a free port, or an error naming the process that holds the one asked for. */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { DevstralError } from '../errors.js';

function tryListen(host: string, port: number): Promise<number | NodeJS.ErrnoException> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

const run = (file: string, args: string[]) =>
  new Promise<string>((resolve) => execFile(file, args, { timeout: 2000 }, (error, stdout) => resolve(error ? '' : stdout)));

/** "node (pid 1234)" from ss or lsof, when either is there to ask. */
export async function portOwner(port: number): Promise<string | undefined> {
  const ss = await run('ss', ['-ltnpH', `sport = :${port}`]);
  const fromSs = /users:\(\("([^"]+)",pid=(\d+)/.exec(ss);
  if (fromSs) return `${fromSs[1]} (pid ${fromSs[2]})`;
  const lsof = await run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc']);
  const pid = /^p(\d+)$/m.exec(lsof)?.[1];
  const name = /^c(.+)$/m.exec(lsof)?.[1];
  return pid ? `${name ?? 'a process'} (pid ${pid})` : undefined;
}

/** A devstral server recorded on this port (its name and pid), said instead of "node (pid N)". */
async function devstralServerOn(port: number): Promise<string | undefined> {
  const { readRegistry } = await import('../supervise/registry.js');
  const record = (await readRegistry().catch(() => [])).find((r) => r.port === port);
  return record ? `devstral's server "${record.name}" (${record.runtime}, pid ${record.pid}; \`devstral down ${record.name}\` stops it)` : undefined;
}

export async function resolvePort(host: string, requested: string | number | undefined, fallback: number): Promise<number> {
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  if (requested === 'auto') {
    const port = await tryListen(bindHost, 0);
    if (typeof port !== 'number') throw new DevstralError('server', `cannot listen on ${host}: ${port.message}`, { hint: 'check --host' });
    return port;
  }
  const port = requested === undefined ? fallback : Number(requested);
  const result = await tryListen(bindHost, port);
  if (typeof result === 'number') return port;
  if (result.code === 'EADDRINUSE') {
    const owner = (await devstralServerOn(port)) ?? (await portOwner(port));
    throw new DevstralError('server', `port ${port} is in use${owner ? ` by ${owner}` : ''}`, { hint: 'stop that process, choose another --port, or use --port auto' });
  }
  if (result.code === 'EACCES') throw new DevstralError('server', `no permission to listen on port ${port}`, { hint: 'use a port above 1023, or --port auto' });
  throw new DevstralError('server', `cannot listen on ${host}:${port}: ${result.message}`, { hint: 'check --host and --port' });
}

/** The first port from `from` that is free on `host` (for the gateway in front of an Ollama). */
export async function firstFreePort(host: string, from: number, tries = 100): Promise<number> {
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  for (let port = from; port < from + tries; port++) if ((await tryListen(bindHost, port)) === port) return port;
  return resolvePort(host, 'auto', from);
}
