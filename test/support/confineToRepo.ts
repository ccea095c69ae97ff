// Loaded into every test process (`node --import`): the suite must run from a fresh clone, so no test may read a
// file beside the repository (../shared, a sibling checkout). Opening one throws ERR_OUTSIDE_REPO.
// Paths elsewhere (the temp dir, /proc, /sys, HOME) stay open: tests make temp dirs and detection reads the system.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const around = dirname(REPO_ROOT);
const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** True for a path beside the repository: under its parent folder, outside the repository and the temp dir. */
export function isOutsideRepo(target: unknown): boolean {
  if (around === dirname(around)) return false; // a repository at /x: its parent is the whole machine
  let path: string;
  if (typeof target === 'string') path = target;
  else if (target instanceof URL) path = target.protocol === 'file:' ? fileURLToPath(target) : '';
  else if (Buffer.isBuffer(target)) path = target.toString();
  else return false;
  if (!path) return false;
  const absolute = resolve(path);
  return inside(absolute, around) && !inside(absolute, REPO_ROOT) && !inside(absolute, resolve(tmpdir()));
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
