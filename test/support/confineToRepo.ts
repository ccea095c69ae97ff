// Loaded into every test process (`node --import`): the suite must run from a fresh clone, so no test may read a
// file beside the repository (../shared, a sibling checkout). Opening one throws ERR_OUTSIDE_REPO.
// Paths elsewhere (the temp dir, /proc, /sys, HOME) stay open: tests make temp dirs and detection reads the system.
// And no server a test starts records itself in the user's own state directory.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
process.env.DEVSTRAL_STATE_DIR ??= fs.mkdtempSync(`${tmpdir()}/devstral-test-state-`);
const around = dirname(REPO_ROOT);
const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

const tmp = resolve(tmpdir());
/**
 * Off when "beside the repository" means the whole machine or the temp dir itself (a clone at /x or at /tmp/x): then
 * every test's temp dir would count, and only the static scan of the sources (test/repo/confinement.test.ts) holds.
 */
export const GUARD_ACTIVE = around !== dirname(around) && around !== tmp;

/** True for a path beside the repository: under its parent folder, outside the repository (and the temp dir, when that is inside the parent). */
export function isOutsideRepo(target: unknown): boolean {
  if (!GUARD_ACTIVE) return false;
  let path: string;
  if (typeof target === 'string') path = target;
  else if (target instanceof URL) path = target.protocol === 'file:' ? fileURLToPath(target) : '';
  else if (Buffer.isBuffer(target)) path = target.toString();
  else return false;
  if (!path) return false;
  const absolute = resolve(path);
  if (!inside(absolute, around) || inside(absolute, REPO_ROOT)) return false;
  return !(inside(tmp, around) && inside(absolute, tmp));
}

function refuse(path: unknown): never {
  const error = new Error(`test opened ${String(path)}, outside the repository ${REPO_ROOT}: copy what it needs into the repository`) as NodeJS.ErrnoException;
  error.code = 'ERR_OUTSIDE_REPO';
  throw error;
}

const guarded = ['open', 'openSync', 'readFile', 'readFileSync', 'createReadStream', 'readdir', 'readdirSync', 'opendir', 'opendirSync',
  'stat', 'statSync', 'lstat', 'lstatSync', 'existsSync', 'access', 'accessSync', 'copyFile', 'copyFileSync', 'cp', 'cpSync'] as const;
const table = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of guarded) {
  const original = table[name]!;
  table[name] = function (this: unknown, ...args: unknown[]) {
    if (isOutsideRepo(args[0])) refuse(args[0]);
    return original.apply(this, args);
  };
}
const promises = fs.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
for (const name of ['open', 'readFile', 'readdir', 'opendir', 'stat', 'lstat', 'access', 'copyFile', 'cp']) {
  const original = promises[name]!;
  promises[name] = async function (this: unknown, ...args: unknown[]) {
    if (isOutsideRepo(args[0])) refuse(args[0]);
    return original.apply(this, args);
  };
}
// ESM named imports of node:fs and node:fs/promises see the wrapped functions only after this.
syncBuiltinESMExports();
