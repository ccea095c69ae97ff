/** Pure memory arithmetic, from the model's architecture numbers. */
import type { ModelProfile } from '../profiles/modelProfile.js';
import type { KvCacheType } from '../planShapes.js';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

type Arch = ModelProfile['architecture'];

const KV_BYTES_PER_ELEMENT: Record<KvCacheType, number> = {
  auto: 2,
  f16: 2,
  fp8: 1,
  q8_0: 34 / 32, // 32 int8 values + one f16 scale per block
};

/** K and V for every layer: 2 x layers x kvHeads x headDim x element size. */
export function kvBytesPerToken(arch: Arch, kv: KvCacheType): number {
  return 2 * arch.layers * arch.kvHeads * arch.headDim * KV_BYTES_PER_ELEMENT[kv];
}

/**
 * vLLM's memory outside weights and KV cache on each GPU: the profiling run's activation peak for a
 * full prefill chunk (8192 tokens by default), the sampler's logits, and a fixed part for the CUDA
 * context, NCCL buffers and CUDA graphs.
 */
export function estimateVllmOverheadPerGpu(arch: Arch, tp: number): number {
  const batchedTokens = 8192;
  const activations = batchedTokens * (4 * arch.hiddenSize + (2 * arch.ffnSize) / tp) * 2;
  const logits = 256 * arch.vocabSize * 4;
  return Math.round(activations + logits + 1 * GiB);
}

/**
 * llama.cpp's compute buffers for a 512-token micro-batch (f32 logits over the vocabulary and the FFN
 * intermediate) plus the backend's own context.
 */
export function estimateLlamaCppOverhead(arch: Arch): number {
  const ubatch = 512;
  return Math.round(ubatch * arch.vocabSize * 4 + ubatch * arch.ffnSize * 4 * 2 + 256 * MiB);
}

/** Bytes of one repeating layer, assuming the quantization spreads evenly over the parameters. */
export function estimateLayerBytes(arch: Arch, artifactBytes: number): number {
  const layerParams = arch.parameters - 2 * arch.vocabSize * arch.hiddenSize;
  return (artifactBytes * layerParams) / arch.parameters / arch.layers;
}

/** Round a context down to a multiple of 1024 so commands stay readable. */
export function roundContext(tokens: number): number {
  return Math.max(0, Math.floor(tokens / 1024) * 1024);
}

/** Sizes as people say them: GiB for model files, MiB and KiB for small ones (a test model is not "0.0 GiB"). */
export function formatGiB(bytes: number): string {
  if (bytes >= 0.95 * GiB || bytes === 0) return `${(bytes / GiB).toFixed(1)} GiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1)} MiB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

/** A parameter count as a model size: 24B, 1.3B, 410M, 0.3M. */
export function formatParameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1).replace(/\.0$/, '')}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1).replace(/\.0$/, '')}M`;
  return `${(n / 1e6).toFixed(2)}M`;
}
