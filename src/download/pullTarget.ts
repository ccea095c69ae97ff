/** What to fetch for a model reference or a planned artifact. Pure. */
import { DevstralError } from '../errors.js';
import type { Artifact } from '../profiles/modelProfile.js';
import { parseHfRef } from '../profiles/parseHfRef.js';
import type { Selection } from './selectFiles.js';

export type PullTarget =
  | { kind: 'hf'; repo: string; revision: string; selection: Selection; label: string }
  | { kind: 'ollama'; reference: string; label: string };

/** A split GGUF (`NAME-00001-of-00003.gguf`, llama.cpp's naming): all of its parts, part 1 first; else the path. */
export function ggufParts(path: string): string[] {
  const m = /^(.*-)(\d{5})-of-(\d{5})\.gguf$/i.exec(path);
  if (!m) return [path];
  const count = Number(m[3]);
  return Array.from({ length: count }, (_, i) => `${m[1]}${String(i + 1).padStart(5, '0')}-of-${m[3]}.gguf`);
}

/** `hf:ORG/REPO` (whole snapshot), `hf:ORG/REPO:QUANT` (its GGUF), `hf:ORG/REPO/PATH` (one file), each with @REVISION. */
export function pullTargetForRef(ref: string): PullTarget {
  const hf = parseHfRef(ref);
  const selection: Selection = hf.path ? { kind: 'paths', required: ggufParts(hf.path) } : hf.quant ? { kind: 'quant', quant: hf.quant } : { kind: 'all' };
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
  if (path) return { kind: 'hf', repo, revision, selection: { kind: 'paths', required: ggufParts(path) }, label };
  if (artifact.files) {
    const required = artifact.files.filter((f) => !f.optional).map((f) => f.path);
    const optional = artifact.files.filter((f) => f.optional).map((f) => f.path);
    return { kind: 'hf', repo, revision, selection: { kind: 'paths', required, optional }, label };
  }
  return { kind: 'hf', repo, revision, selection: { kind: 'all', weightsOnce: true }, label };
}
