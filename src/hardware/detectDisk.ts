import { posix, win32 } from 'node:path';
import type { DetectDeps, ProbeResult } from './detectDeps.js';
import type { HardwareFacts } from './hardwareFacts.js';
import { probeNote } from './probeNote.js';
import { resolveHfCacheDir } from './resolveHfCacheDir.js';
import { withTimeout } from './withTimeout.js';

const PROBE = 'disk';
const MiB = 1024 * 1024;

type DiskDeps = Pick<DetectDeps, 'env' | 'homeDir' | 'platform' | 'fs' | 'importSystemInformation' | 'timeoutMs'>;

/**
 * Free space where weights will be downloaded (the Hugging Face cache, which may not exist yet: its
 * nearest existing parent decides the file system). statfs asks the kernel about that exact directory,
 * so it goes first; systeminformation's mount list (`df -l`: no network file systems) is the fallback.
 */
export async function detectDisk(deps: DiskDeps): Promise<ProbeResult<{ disk?: NonNullable<HardwareFacts['disk']> }>> {
  const path = deps.platform === 'win32' ? win32 : posix;
  const target = resolveHfCacheDir(deps.env, deps.homeDir, deps.platform);
  let existing = path.isAbsolute(target) ? target : path.resolve(target); // relative: to the working directory, as huggingface_hub does
  while (!(await deps.fs.isDirectory(existing))) {
    const parent = path.dirname(existing);
    if (parent === existing) return { notes: [probeNote(PROBE, 'failed', `no existing directory above ${target}`)] };
    existing = parent;
  }

  let statfsError = '';
  try {
    const s = await withTimeout(deps.fs.statfs(existing), deps.timeoutMs, () => undefined);
    if (s !== undefined) return { disk: { freeMiB: Math.floor((s.bavail * s.bsize) / MiB), path: target }, notes: [] };
    statfsError = 'statfs timed out';
  } catch (error) {
    statfsError = error instanceof Error ? error.message : String(error);
  }
  try {
    const si = await deps.importSystemInformation();
    const mounts = (await withTimeout(si.fsSize(), deps.timeoutMs, () => [])).filter((m) => isUnder(existing, m.mount, path.sep));
    const best = mounts.sort((a, b) => b.mount.length - a.mount.length)[0];
    if (best !== undefined) return { disk: { freeMiB: Math.floor(best.available / MiB), path: target }, notes: [] };
  } catch {
    // Fall through to the note below, which carries the first error.
  }
  return { notes: [probeNote(PROBE, 'failed', `free space at ${existing} unknown: ${statfsError}`)] };
}

function isUnder(dir: string, mount: string, sep: string): boolean {
  if (mount === '') return false;
  const norm = (p: string) => (sep === '\\' ? p.toLowerCase() : p); // Windows paths ignore case
  const withSep = (p: string) => (p.endsWith(sep) ? p : p + sep);
  return norm(withSep(dir)).startsWith(norm(withSep(mount)));
}
