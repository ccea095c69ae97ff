/**
 * A server started by hand (`devstral serve`, `npx devstral serve`, `devstral gateway`) joins the registry, so
 * `status` and `down` see it, and lives as long as what started it: when its parent goes (npx killed, a terminal
 * closed), it stops instead of running on under init. A server `up` starts (DEVSTRAL_SUPERVISED=1) is up's to
 * record and stop, and may outlive it (--detach).
 */
import type { ServerRecord } from './registry.js';

export const SUPERVISED_ENV = 'DEVSTRAL_SUPERVISED';

export interface StandaloneServer extends Pick<ServerRecord, 'runtime' | 'host' | 'port' | 'baseUrl' | 'model' | 'servedModel' | 'apiKey'> {
  /** Called once when the parent process is gone. */
  onParentGone: () => void;
}

/** Registers the server (`serve-PORT`) and watches the parent; returns what undoes both, or undefined when supervised. */
export async function registerStandalone(server: StandaloneServer): Promise<(() => Promise<void>) | undefined> {
  if (process.env[SUPERVISED_ENV] === '1') return undefined;
  const registry = await import('./registry.js');
  const name = `serve-${server.port}`;
  await registry.claimServer({ name, host: server.host, port: server.port });
  const { onParentGone, ...described } = server;
  await registry.writeRecord({
    name,
    ...described,
    pid: process.pid,
    // Not a process group of ours (npx's or the shell's): stopping it must not stop them.
    pgid: 0,
    logPath: '',
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1),
  });
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    onParentGone();
  }, 1000);
  watch.unref();
  return async () => {
    clearInterval(watch);
    await registry.removeRecord(name).catch(() => false);
  };
}
