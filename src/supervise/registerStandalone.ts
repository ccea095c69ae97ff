/**
 * A server started by hand (`devstral serve`, `npx devstral serve`, `devstral gateway`) joins the registry, so
 * `status` and `down` see it, and lives as long as what started it: when its parent goes (npx killed, a terminal
 * closed), it stops instead of running on under init. A server `up` starts (DEVSTRAL_SUPERVISED=1) is up's to
 * record and stop, and may outlive it (--detach).
 */
import type { ServerRecord } from './registry.js';

export const SUPERVISED_ENV = 'DEVSTRAL_SUPERVISED';

export interface StandaloneServer {
  runtime: ServerRecord['runtime'];
  host: string;
  port: number;
  baseUrl: string;
  model: string;
  servedModel: string;
  apiKey?: string;
  /** Called once when the parent process is gone. */
  onParentGone: () => void;
}

/** Registers the server (`serve-PORT`) and watches the parent; returns what undoes both, or undefined when supervised. */
export async function registerStandalone(server: StandaloneServer): Promise<(() => Promise<void>) | undefined> {
  if (process.env[SUPERVISED_ENV] === '1') return undefined;
  const registry = await import('./registry.js');
  const name = `serve-${server.port}`;
  await registry.claimServer({ name, host: server.host, port: server.port });
  await registry.writeRecord({
    name,
    runtime: server.runtime,
    pid: process.pid,
    // Not a process group of ours (npx's or the shell's): stopping it must not stop them.
    pgid: 0,
    host: server.host,
    port: server.port,
    baseUrl: server.baseUrl,
    model: server.model,
    servedModel: server.servedModel,
    ...(server.apiKey ? { apiKey: server.apiKey } : {}),
    logPath: '',
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1),
  });
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    server.onParentGone();
  }, 1000);
  watch.unref();
  return async () => {
    clearInterval(watch);
    await registry.removeRecord(name).catch(() => false);
  };
}
