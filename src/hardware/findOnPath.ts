import { posix } from 'node:path';
import type { Env, ProbeFs } from './detectDeps.js';

/** The first executable `name` on PATH (POSIX only: used to read a script's shebang, which Windows has no use for). */
export async function findOnPath(name: string, env: Env, fs: Pick<ProbeFs, 'isExecutable'>): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir === '') continue;
    const candidate = posix.join(dir, name);
    if (await fs.isExecutable(candidate)) return candidate;
  }
  return undefined;
}
