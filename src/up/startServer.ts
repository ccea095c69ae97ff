/**
 * Starts the planned server as a supervised child (its own process group, output to a log file), or reuses
 * an Ollama server that already answers. Returns what waiting, the registry and stopping need.
 */
import { access, constants } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../hardware/findOnPath.js';
import { DevstralError } from '../errors.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { LaunchCommand, Plan } from '../planShapes.js';
import { SUPERVISED_ENV } from '../supervise/registerStandalone.js';
import { startProcess, type RunningProcess } from '../supervise/startProcess.js';
import { backendOnPort, gatewayArgs, type GatewayFront } from './gatewayFront.js';

export interface StartedServer {
  process?: RunningProcess;
  /** The command that runs (for the registry and messages). */
  command: string[];
  /** An Ollama server somebody else started: never stopped by us. */
  reused: boolean;
}

export interface StartInput {
  plan: Plan;
  facts: HardwareFacts;
  /** llama.cpp: the GGUF on disk (from the pull). */
  modelPath?: string;
  logPath: string;
  /** Replaces the plan's context (a retry after vLLM said less fits). */
  contextLength?: number;
  /** vLLM and Ollama: run behind `devstral gateway` here (the key, if any, in `apiKey`). */
  front?: GatewayFront;
  apiKey?: string;
}

// The installed command (bin/devstral.cjs), which gives `serve` its one-thread libuv pool.
const CLI = fileURLToPath(new URL('../../bin/devstral.cjs', import.meta.url));

/** The plan's command with another context length (vLLM --max-model-len / devstral serve --ctx). */
export function withContext(command: LaunchCommand, contextLength: number): LaunchCommand {
  const argv = [...command.argv];
  for (const flag of ['--max-model-len', '--ctx']) {
    const at = argv.indexOf(flag);
    if (at >= 0) argv[at + 1] = String(contextLength);
  }
  return { ...command, argv };
}

export async function startServer(input: StartInput): Promise<StartedServer> {
  const { plan, front } = input;
  let command = input.contextLength ? withContext(plan.command, input.contextLength) : plan.command;
  const reuse = plan.runtime === 'ollama' && command.argv.length === 0;
  if (reuse && !front) return { command: ['ollama (already running)'], reused: true };
  if (front && !reuse) command = backendOnPort(command, front.backendPort);
  let [file, ...args] = command.argv;
  if (plan.runtime === 'vllm' && input.facts.runtimes?.vllm?.via === 'python3') {
    // vLLM installed as a Python package without the `vllm` script on PATH.
    [file, args] = ['python3', ['-m', 'vllm.entrypoints.cli.main', ...args]];
  }
  if (plan.runtime === 'llamacpp') {
    // Our own server: this install's CLI, on the file the pull verified.
    if (!input.modelPath) throw new DevstralError('server', 'no local model file to serve');
    const at = args.indexOf('--model');
    args[at + 1] = input.modelPath;
    [file, args] = [process.execPath, [CLI, ...args]];
  }
  // Ours to record and stop (and it may outlive us with --detach): see supervise/registerStandalone.ts.
  const env = { ...process.env, ...command.env, [SUPERVISED_ENV]: '1' } as Record<string, string>;
  if (front) {
    // The runtime must exist before the gateway starts it: a missing one is said as such, not as a stopped server.
    if (!reuse && !file!.includes('/') && !(await findOnPath(file!, env, { isExecutable }))) {
      throw new DevstralError('runtimeMissing', `${file} not found`, { hint: missingHint(plan.runtime) });
    }
    // The gateway runs the runtime as its child (one process group), or stands in front of the Ollama that runs.
    const upstream = reuse ? plan.endpoint.baseUrl : `http://127.0.0.1:${front.backendPort}/v1`;
    [file, args] = [process.execPath, [CLI, ...gatewayArgs(front, upstream, reuse ? undefined : [file!, ...args])]];
    if (input.apiKey) env.DEVSTRAL_API_KEY = input.apiKey; // not on the command line, where ps shows it
  }
  try {
    const running = await startProcess({ file: file!, args, env, logPath: input.logPath });
    return { process: running, command: [file!, ...args], reused: false };
  } catch (error) {
    if (error instanceof DevstralError && error.code === 'runtimeMissing') throw new DevstralError('runtimeMissing', error.message, { hint: missingHint(plan.runtime) ?? error.hint ?? '' });
    throw error;
  }
}

function missingHint(runtime: Plan['runtime']): string | undefined {
  if (runtime === 'vllm') return 'install vLLM (pip install -U vllm, with mistral_common >= 1.7.0), or run the docker form: `devstral command --format docker`';
  if (runtime === 'ollama') return 'install Ollama (https://ollama.com/download), or use --runtime llamacpp';
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false);
}
