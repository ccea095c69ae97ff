/** The artifacts a runtime may use under the user's constraints, and their quality. Pure. */
import type { Artifact, ModelProfile, RuntimeId } from '../profiles/modelProfile.js';
import { artifactSize } from './artifactSize.js';
import type { PlanOptions } from '../planShapes.js';
import { bitsPerWeight } from './quantization.js';

export const matchesQuant = (a: Artifact, quant: string | undefined) =>
  quant === undefined || a.id.toLowerCase() === quant.toLowerCase() || a.quantization.toLowerCase() === quant.toLowerCase();

/** `hf:ORG/REPO` of an artifact source (`hf:ORG/REPO/FILE` included). */
export const artifactRepo = (a: Artifact) => /^hf:([^/]+\/[^/]+)/.exec(a.source)?.[1];

export function selectArtifacts(model: ModelProfile, runtime: RuntimeId, options: Pick<PlanOptions, 'quant' | 'repo'>): Artifact[] {
  return model.artifacts.filter(
    (a) =>
      a.runtimes.includes(runtime) &&
      matchesQuant(a, options.quant) &&
      (options.repo === undefined || artifactRepo(a)?.toLowerCase() === options.repo.toLowerCase()),
  );
}

/** Bits per weight: from the quantization's name, else from the size; 0 when neither is known. */
export function artifactBits(model: ModelProfile, a: Artifact): number {
  const size = artifactSize(a, model);
  return bitsPerWeight(a.quantization) ?? (size ? (size.bytes * 8) / model.architecture.parameters : 0);
}
