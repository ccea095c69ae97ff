/**
 * Where devstral keeps its server registry and logs. Pure: the environment, platform and home directory are
 * passed in. DEVSTRAL_STATE_DIR overrides everything (tests use it).
 */
import { join, posix, win32 } from 'node:path';

export interface StateDirInputs {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homedir: string;
}

export function resolveStateDir({ env, platform, homedir }: StateDirInputs): string {
  if (env.DEVSTRAL_STATE_DIR) return env.DEVSTRAL_STATE_DIR;
  if (platform === 'win32') return win32.join(env.LOCALAPPDATA || win32.join(homedir, 'AppData', 'Local'), 'devstral');
  if (platform === 'darwin') return posix.join(homedir, 'Library', 'Application Support', 'devstral');
  // XDG: a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  return posix.join(xdg && xdg.startsWith('/') ? xdg : posix.join(homedir, '.local', 'state'), 'devstral');
}

/** `<state>/servers`: one `<name>.json` record per server. */
export function serversDirIn(stateDir: string): string {
  return join(stateDir, 'servers');
}

/** `<state>/logs/<name>.log`. */
export function logPathIn(stateDir: string, name: string): string {
  return join(stateDir, 'logs', `${name}.log`);
}

/** Names become file names: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function isValidServerName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name);
}
