/** A model profile for a local GGUF no profile knows, from its header: enough for the planner. Pure. */
import type { GgufSummary } from '../gguf/summarizeGguf.js';
import type { ModelProfile } from './modelProfile.js';

/** A local GGUF is served under its file name without .gguf, by `up` and `serve` alike (README: served model ids). */
export function servedIdForFile(path: string): string {
  return path.split(/[\\/]/).pop()!.replace(/\.gguf$/i, '') || 'local-model';
}

export function profileFromGguf(summary: GgufSummary, path: string, bytes: number): ModelProfile {
  const id = servedIdForFile(path);
  const name = summary.name ?? id;
  const headDim = summary.keyLength ?? Math.floor(summary.embeddingLength / summary.headCount);
  return {
    id,
    name,
    aliases: [],
    description: `local GGUF ${path}`,
    repo: 'local/file',
    architecture: {
      layers: summary.blockCount,
      hiddenSize: summary.embeddingLength,
      heads: summary.headCount,
      kvHeads: summary.headCountKv,
      headDim,
      // Not in every header: the usual 4x hidden is close enough for compute-buffer estimates.
      ffnSize: 4 * summary.embeddingLength,
      vocabSize: summary.vocabSize ?? 32000,
      contextLength: summary.contextLength,
      parameters: Math.max(1, summary.parameterCount),
    },
    artifacts: [{ id: 'local', format: 'gguf', source: `file:${path}`, quantization: summary.quantization, bytes, official: true, runtimes: ['llamacpp'] }],
    vllm: { args: [] },
    sampling: { temperature: 0.15 },
    toolCalls: { format: 'chat-template', vllmParser: 'mistral' },
  };
}
