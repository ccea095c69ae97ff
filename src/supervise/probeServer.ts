/** What state a registered server is in: its process, GET <root>/health and GET <baseUrl>/models. */
import type { ServerRecord } from './registry.js';

export type ServerState = 'starting' | 'ready' | 'unhealthy' | 'dead';

/** An HTTP status, or 'none' when nothing answered (refused, reset, timeout). */
export type ProbeAnswer = number | 'none';

export interface ServerProbe {
  state: ServerState;
  /** What the state rests on, e.g. "health 200" or "health 500, models 500". */
  detail: string;
}

/**
 * Pure. Dead: the process is gone. Ready: /health or /v1/models answers 200 (Ollama has no /health). Starting:
 * nothing answers yet (vLLM while loading) or 503 (llama.cpp-style servers while loading). Unhealthy: any other
 * error. `alive` undefined means unknown (a reused server without a pid): then only the answers count.
 */
export function classifyServer(alive: boolean | undefined, health: ProbeAnswer, models: ProbeAnswer): ServerProbe {
  const detail = `health ${health === 'none' ? 'no answer' : health}, models ${models === 'none' ? 'no answer' : models}`;
  if (alive === false) return { state: 'dead', detail: 'process gone' };
  if (health === 200 || models === 200) return { state: 'ready', detail };
  if (health === 'none' && models === 'none') return { state: alive === undefined ? 'dead' : 'starting', detail };
  if (health === 503 || models === 503) return { state: 'starting', detail };
  return { state: 'unhealthy', detail };
}

async function getStatus(url: string, apiKey: string | undefined, timeoutMs: number): Promise<ProbeAnswer> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 'none';
  }
}

export function rootUrlOf(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** Probes /health and /models at once, each with its own deadline. */
export async function probeServer(record: ServerRecord, alive: boolean | undefined, timeoutMs = 2000): Promise<ServerProbe> {
  if (alive === false) return classifyServer(false, 'none', 'none');
  const base = record.baseUrl.replace(/\/+$/, '');
  const [health, models] = await Promise.all([
    getStatus(`${rootUrlOf(base)}/health`, record.apiKey, timeoutMs),
    getStatus(`${base}/models`, record.apiKey, timeoutMs),
  ]);
  return classifyServer(alive, health, models);
}
