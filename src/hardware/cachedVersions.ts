/**
 * Version questions (`ollama --version`, the vLLM script's package version) whose answer cannot change while the
 * binary stays the same: answered from a cache keyed by the binary's path, size and modification time, so planning
 * does not start a process (or a Python) each run. Only clean answers (exit 0) are kept.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { ExecFn, VersionExecFn } from './detectDeps.js';

type Entry = { exitCode: number; stdout: string; stderr: string };


export function cachedVersions(exec: ExecFn, cachePath: string): VersionExecFn {
  let cache: Record<string, Entry> | undefined;
  const load = () => (cache ??= (() => {
    try {
      return JSON.parse(readFileSync(cachePath, 'utf8')) as Record<string, Entry>;
    } catch {
      return {};
    }
  })());
  return async (file, args, options) => {
    const identity = fileIdentity(options.keyFile ?? file, options.env.PATH);
    if (!identity) return exec(file, args, options);
    const key = `${identity}|${file} ${args.join(' ')}`;
    const hit = load()[key];
    if (hit) return { kind: 'exited', ...hit };
    const outcome = await exec(file, args, options);
    if (outcome.kind === 'exited' && outcome.exitCode === 0) {
      load()[key] = { exitCode: 0, stdout: outcome.stdout, stderr: outcome.stderr };
      try {
        mkdirSync(dirname(cachePath), { recursive: true });
        const temp = `${cachePath}.${process.pid}.tmp`;
        writeFileSync(temp, JSON.stringify(cache));
        renameSync(temp, cachePath);
      } catch {
        // A cache that cannot be written only costs the next run the same question.
      }
    }
    return outcome;
  };
}

/** "path|size|mtime" of a file (a name is looked up on PATH); undefined when there is none. */
function fileIdentity(file: string, path: string | undefined): string | undefined {
  const candidates = file.includes('/') ? [file] : (path ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, file));
  for (const candidate of candidates) {
    try {
      const info = statSync(candidate);
      if (info.isFile()) return `${candidate}|${info.size}|${info.mtimeMs}`;
    } catch {
      // not here
    }
  }
  return undefined;
}
