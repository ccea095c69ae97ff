/**
 * vLLM and Ollama behind `devstral gateway`: the runtime moves to a loopback port of its own and the gateway
 * serves Chat Completions, Anthropic Messages and OpenAI Responses where the user connects, so every runtime offers
 * the same three protocols at one base URL. Pure.
 */
import type { LaunchCommand } from '../planShapes.js';

export interface GatewayFront {
  /** Where clients connect. */
  host: string;
  port: number;
  /** The runtime's own loopback port (unused when an Ollama already runs). */
  backendPort: number;
  servedModel: string;
  contextLength: number;
}

/** The runtime's command listening on 127.0.0.1:port instead (vLLM --host/--port, Ollama's OLLAMA_HOST). */
export function backendOnPort(command: LaunchCommand, port: number): LaunchCommand {
  const argv = [...command.argv];
  const set = (flag: string, value: string) => {
    const at = argv.indexOf(flag);
    if (at >= 0) argv[at + 1] = value;
  };
  set('--host', '127.0.0.1');
  set('--port', String(port));
  const env = { ...command.env, ...('OLLAMA_HOST' in command.env ? { OLLAMA_HOST: `127.0.0.1:${port}` } : {}) };
  return { ...command, argv, env };
}

/** `devstral gateway` arguments: in front of `upstream`, running `backend` (if any) as its child. */
export function gatewayArgs(front: GatewayFront, upstream: string, backend?: string[]): string[] {
  return [
    'gateway',
    '--upstream', upstream,
    '--upstream-model', front.servedModel,
    '--served-model-name', front.servedModel,
    '--ctx', String(front.contextLength),
    '--host', front.host,
    '--port', String(front.port),
    ...(backend?.length ? ['--', ...backend] : []),
  ];
}
