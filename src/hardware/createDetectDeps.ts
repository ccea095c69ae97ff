import { access, constants, open, readdir, readFile, stat, statfs } from 'node:fs/promises';
import os from 'node:os';
import type { DetectDeps, NodeLlamaCppApi, SystemInformationApi } from './detectDeps.js';
import { httpGetText } from './httpGetText.js';
import { join } from 'node:path';
import { resolveStateDir } from '../supervise/stateDir.js';
import { cachedVersions } from './cachedVersions.js';
import { runProcess } from './runProcess.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** The real dependencies of detectHardware; override any of them (tests: env with a PATH of stand-in tools). */
export function createDetectDeps(overrides: Partial<DetectDeps> = {}): DetectDeps {
  return {
    exec: runProcess,
    versionExec: cachedVersions(runProcess, join(resolveStateDir({ env: process.env, platform: process.platform, homedir: os.homedir() }), 'cache', 'runtime-versions.json')),
    httpGet: httpGetText,
    env: process.env,
    platform: process.platform,
    arch: process.arch,
    homeDir: os.homedir(),
    fs: {
      readFile: (path) => readFile(path, 'utf8'),
      readHead: async (path, maxBytes) => {
        const handle = await open(path, 'r');
        try {
          const { buffer, bytesRead } = await handle.read(Buffer.alloc(maxBytes), 0, maxBytes, 0);
          return buffer.subarray(0, bytesRead).toString('utf8');
        } finally {
          await handle.close();
        }
      },
      readdir: (path) => readdir(path),
      isDirectory: (path) => stat(path).then((s) => s.isDirectory(), () => false),
      isExecutable: async (path) => {
        try {
          if (!(await stat(path)).isFile()) return false;
          await access(path, constants.X_OK);
          return true;
        } catch {
          return false;
        }
      },
      statfs: (path) => statfs(path),
    },
    os,
    // Heavy modules load only when detection runs (design: lazy imports keep other commands fast).
    importSystemInformation: async () => (await import('systeminformation')).default as SystemInformationApi,
    importNodeLlamaCpp: async () => (await import('node-llama-cpp')) as NodeLlamaCppApi,
    timeoutMs: DEFAULT_PROBE_TIMEOUT_MS,
    slowTimeoutMs: 30_000,
    httpTimeoutMs: 1_500,
    ...overrides,
  };
}
