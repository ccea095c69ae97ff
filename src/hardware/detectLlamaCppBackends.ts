import type { DetectDeps, ProbeResult } from './detectDeps.js';
import type { RuntimeFacts } from './hardwareFacts.js';
import { probeNote } from './probeNote.js';
import { withTimeout } from './withTimeout.js';

const PROBE = 'llamacpp';

/**
 * GPU backends node-llama-cpp can use on this machine (its check looks for the CUDA/Vulkan libraries,
 * so CUDA may be missing here even with an NVIDIA GPU). `false`, its name for CPU, becomes "cpu".
 */
export async function detectLlamaCppBackends(deps: Pick<DetectDeps, 'importNodeLlamaCpp' | 'timeoutMs'>): Promise<ProbeResult<{ llamacpp?: NonNullable<RuntimeFacts['llamacpp']> }>> {
  const work = deps
    .importNodeLlamaCpp()
    .then((m) => m.getLlamaGpuTypes('supported'))
    .then((types) => ({ types }), (error: unknown) => ({ error }));
  const result = await withTimeout(work, deps.timeoutMs, () => 'timeout' as const);
  if (result === 'timeout') return { notes: [probeNote(PROBE, 'timeout', `node-llama-cpp did not answer within ${deps.timeoutMs} ms`)] };
  if ('error' in result) {
    const code = (result.error as { code?: string } | undefined)?.code;
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    if (code === 'ERR_MODULE_NOT_FOUND') return { notes: [probeNote(PROBE, 'missing', 'node-llama-cpp is not installed')] };
    return { notes: [probeNote(PROBE, 'failed', `node-llama-cpp: ${firstLineOf(message)}`)] };
  }
  const backends = [...new Set(result.types.map((t) => (t === false ? 'cpu' : t)))];
  return { llamacpp: { backends }, notes: [] };
}

function firstLineOf(text: string): string {
  return text.split('\n')[0] ?? text;
}
