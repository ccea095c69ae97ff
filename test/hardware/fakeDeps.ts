import { readFileSync } from 'node:fs';
import type { DetectDeps, ExecOutcome, HttpGetOutcome } from '../../src/hardware/detectDeps.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/hardware-output/${name}`, import.meta.url), 'utf8');
}

export const exited = (stdout: string, exitCode = 0, stderr = ''): ExecOutcome => ({ kind: 'exited', exitCode, stdout, stderr });
export const missing = (file: string): ExecOutcome => ({ kind: 'missing', reason: `${file} not found on PATH` });

export type ExecHandler = ExecOutcome | ((args: readonly string[]) => ExecOutcome);

export interface FakeDeps extends DetectDeps {
  calls: Array<{ file: string; args: readonly string[]; timeoutMs: number }>;
}

/** DetectDeps with nothing real: every tool is missing unless `tools` answers for it. */
export function fakeDeps(
  tools: Record<string, ExecHandler> = {},
  overrides: Partial<DetectDeps> = {},
  http: (url: string) => HttpGetOutcome = (url) => ({ kind: 'failed', reason: `${url}: ECONNREFUSED` }),
): FakeDeps {
  const calls: FakeDeps['calls'] = [];
  return {
    calls,
    exec: async (file, args, options) => {
      calls.push({ file, args, timeoutMs: options.timeoutMs });
      const handler = tools[file];
      if (handler === undefined) return missing(file);
      return typeof handler === 'function' ? handler(args) : handler;
    },
    httpGet: async (url) => http(url),
    env: { PATH: '/fake/bin', HF_HUB_CACHE: '/data/hf' },
    platform: 'linux',
    arch: 'x64',
    homeDir: '/home/dev',
    fs: {
      readFile: async (path) => {
        throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      },
      readHead: async () => '',
      readdir: async () => [],
      isDirectory: async (path) => path === '/' || path === '/data',
      isExecutable: async () => false,
      statfs: async () => ({ bavail: 1_000_000, bsize: 4096 }),
    },
    os: { totalmem: () => 8 * 1024 ** 3, freemem: () => 4 * 1024 ** 3, cpus: () => [{ model: 'Fake CPU 9000' }], availableParallelism: () => 4 },
    importSystemInformation: async () => ({
      cpu: async () => ({ manufacturer: 'AMD', brand: 'Ryzen 9 7950X 16-Core Processor', cores: 32, physicalCores: 16 }),
      mem: async () => ({ total: 128 * 1024 ** 3, available: 120 * 1024 ** 3 }),
      fsSize: async () => [],
    }),
    importNodeLlamaCpp: async () => ({ getLlamaGpuTypes: async () => ['cuda', 'vulkan', false] }),
    timeoutMs: 5000,
    slowTimeoutMs: 30000,
    httpTimeoutMs: 1500,
    ...overrides,
  };
}
