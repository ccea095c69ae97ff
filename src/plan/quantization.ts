/**
 * Bits per weight of each quantization, averaged over a whole Devstral-size model
 * (measured from real files where known: Q4_K_M 14,333,915,904 B / 23.57e9 params = 4.86).
 * Used to rank quality and to estimate a size the profile does not know.
 */
const BITS_PER_WEIGHT: Record<string, number> = {
  BF16: 16,
  F16: 16,
  FP8: 8.45, // embeddings and lm_head stay BF16
  Q8_0: 8.5,
  Q6_K: 6.56,
  'UD-Q6_K_XL': 7.05,
  Q5_K_M: 5.69,
  Q5_K_S: 5.52,
  'UD-Q5_K_XL': 5.8,
  'UD-Q4_K_XL': 4.94,
  Q4_K_M: 4.86,
  'AWQ-INT4': 4.9, // 4-bit groups plus BF16 embeddings and lm_head (~13.3 GiB reported in VRAM)
  Q4_K_S: 4.6,
  Q4_0: 4.55,
  IQ4_XS: 4.3,
  IQ4_NL: 4.55,
  Q3_K_L: 4.3,
  Q3_K_M: 3.91,
  'UD-Q3_K_XL': 4.1,
  Q3_K_S: 3.5,
  IQ3_XXS: 3.06,
  Q2_K: 3.0,
  'UD-Q2_K_XL': 3.2,
};

/** The weakest quantization the planner picks on its own; lower ones only when nothing else fits. */
export const MIN_GOOD_BITS = BITS_PER_WEIGHT.Q4_K_M!;

export function bitsPerWeight(quantization: string): number | undefined {
  return BITS_PER_WEIGHT[quantization.toUpperCase()];
}

/** Estimated bytes for a checkpoint whose size is unknown. */
export function estimateArtifactBytes(quantization: string, parameters: number): number | undefined {
  const bits = bitsPerWeight(quantization);
  return bits === undefined ? undefined : Math.round((parameters * bits) / 8);
}
