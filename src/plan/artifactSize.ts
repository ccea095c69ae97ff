import type { Artifact, ModelProfile } from '../profiles/modelProfile.js';
import { estimateArtifactBytes } from './quantization.js';

export interface ArtifactSize {
  bytes: number;
  estimated: boolean;
}

/** The artifact's exact size, or an estimate from bits per weight; undefined when neither is known. */
export function artifactSize(artifact: Artifact, model: ModelProfile): ArtifactSize | undefined {
  if (artifact.bytes !== null) return { bytes: artifact.bytes, estimated: false };
  // Weight files known exactly: small metadata files of unknown size do not matter for memory.
  const weights = artifact.files?.filter((f) => /\.(safetensors|gguf)$/.test(f.path)) ?? [];
  if (weights.length > 0 && weights.every((f) => f.bytes !== null)) {
    return { bytes: artifact.files!.reduce((sum, f) => sum + (f.bytes ?? 0), 0), estimated: false };
  }
  const bytes = estimateArtifactBytes(artifact.quantization, model.architecture.parameters);
  return bytes === undefined ? undefined : { bytes, estimated: true };
}
