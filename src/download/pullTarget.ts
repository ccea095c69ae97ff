/** What to fetch for a model reference or a planned artifact. Pure. */
import { DevstralError } from '../errors.js';
import type { Artifact } from '../profiles/modelProfile.js';
import { parseHfRef } from '../profiles/parseHfRef.js';
import type { Selection } from './selectFiles.js';

export type PullTarget =
  | { kind: 'hf'; repo: string; revision: string; selection: Selection; label: string }
  | { kind: 'ollama'; reference: string; label: string };

/** `hf:ORG/REPO` (whole snapshot), `hf:ORG/REPO:QUANT` (its GGUF), `hf:ORG/REPO/PATH` (one file), each with @REVISION. */
export function pullTargetForRef(ref: string): PullTarget {
  const hf = parseHfRef(ref);
  const selection: Selection = hf.path ? { kind: 'paths', required: [hf.path] } : hf.quant ? { kind: 'quant', quant: hf.quant } : { kind: 'all' };
  return { kind: 'hf', repo: hf.repo, revision: hf.revision, selection, label: ref };
}

/** The files a planned artifact needs: one GGUF, the Mistral-format files, or an HF checkpoint without duplicate weights. */
export function pullTargetForArtifact(artifact: Artifact, runtime: 'vllm' | 'llamacpp' | 'ollama', revision = 'main'): PullTarget {
  if (runtime === 'ollama') {
    if (!artifact.ollama) throw new DevstralError('usage', `${artifact.id} has no Ollama reference`, { hint: 'use --runtime llamacpp' });
    return { kind: 'ollama', reference: artifact.ollama, label: artifact.ollama };
  }
  if (!artifact.source.startsWith('hf:')) throw new DevstralError('usage', `${artifact.source} is served by Ollama only`, { hint: 'use --runtime ollama' });
  const { repo, path } = parseHfRef(artifact.source);
  const label = `${artifact.source}${revision !== 'main' ? `@${revision}` : ''}`;
  if (path) return { kind: 'hf', repo, revision, selection: { kind: 'paths', required: [path] }, label };
  if (artifact.files) {
    const required = artifact.files.filter((f) => !f.optional).map((f) => f.path);
    const optional = artifact.files.filter((f) => f.optional).map((f) => f.path);
    return { kind: 'hf', repo, revision, selection: { kind: 'paths', required, optional }, label };
  }
  return { kind: 'hf', repo, revision, selection: { kind: 'all', weightsOnce: true }, label };
}
