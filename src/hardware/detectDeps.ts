import type { ProbeNote } from './hardwareFacts.js';

/** What a finished child process said. */
export interface ExecExited {
  kind: 'exited';
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A child process that never produced an exit code: not on PATH (ENOENT), too slow, or could not run. */
export interface ExecFailure {
  kind: 'missing' | 'timeout' | 'failed';
  reason: string;
}

export type ExecOutcome = ExecExited | ExecFailure;

export interface ExecOptions {
  timeoutMs: number;
  /** The child's whole environment; PATH in here decides where `file` is looked up. */
  env: Env;
}

/** Runs `file args` without a shell. Never rejects. */
export type ExecFn = (file: string, args: readonly string[], options: ExecOptions) => Promise<ExecOutcome>;

/** `keyFile`: the file whose identity fixes the answer (default: `file` as found on PATH). */
export type VersionExecFn = (file: string, args: readonly string[], options: ExecOptions & { keyFile?: string }) => ReturnType<ExecFn>;

export type HttpGetOutcome =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'timeout' | 'failed'; reason: string };

/** GET a URL, body as text. Never rejects. */
export type HttpGetFn = (url: string, timeoutMs: number) => Promise<HttpGetOutcome>;

export type Env = Readonly<Record<string, string | undefined>>;

/** The few file-system calls the probes make (sysfs, disk space, finding vllm on PATH). readFile/readdir/statfs may reject; the `is*` checks answer false on any error. */
export interface ProbeFs {
  readFile(path: string): Promise<string>;
  /** The first bytes of a file (a script's shebang), without reading a possibly large binary whole. */
  readHead(path: string, maxBytes: number): Promise<string>;
  readdir(path: string): Promise<string[]>;
  isDirectory(path: string): Promise<boolean>;
  isExecutable(path: string): Promise<boolean>;
  statfs(path: string): Promise<{ bavail: number; bsize: number }>;
}

/** The subset of systeminformation the probes use. */
export interface SystemInformationApi {
  cpu(): Promise<{ manufacturer: string; brand: string; cores: number; physicalCores: number }>;
  mem(): Promise<{ total: number; available: number }>;
  fsSize(): Promise<Array<{ mount: string; available: number }>>;
}

/** The subset of node-llama-cpp the probes use. */
export interface NodeLlamaCppApi {
  getLlamaGpuTypes(include: 'supported'): Promise<Array<string | false>>;
}

/** node:os fallbacks for when systeminformation fails. */
export interface OsApi {
  totalmem(): number;
  freemem(): number;
  cpus(): Array<{ model: string }>;
  availableParallelism(): number;
}

/** Everything detection touches, passed in so tests can replace any of it. */
export interface DetectDeps {
  exec: ExecFn;
  /** For version questions fixed by the binary (may answer from a cache; see cachedVersions.ts); default: exec. */
  versionExec?: VersionExecFn;
  httpGet: HttpGetFn;
  env: Env;
  platform: NodeJS.Platform;
  arch: string;
  homeDir: string;
  fs: ProbeFs;
  os: OsApi;
  importSystemInformation(): Promise<SystemInformationApi>;
  importNodeLlamaCpp(): Promise<NodeLlamaCppApi>;
  /** Per probe step (one child process, one library call). */
  timeoutMs: number;
  /** `vllm --version` imports torch and can take ~20 s (vllm-project/vllm#25620); used only when nothing faster works. */
  slowTimeoutMs: number;
  /** The Ollama server check; a local server answers in milliseconds. */
  httpTimeoutMs: number;
}

/** What every probe returns: its findings plus notes on what it could not find out. */
export type ProbeResult<T> = T & { notes: ProbeNote[] };
