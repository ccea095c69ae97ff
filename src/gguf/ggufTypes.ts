/** GGUF metadata value types, as numbered in the GGUF spec (gguf_type in ggml/include/gguf.h). */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

export type GgufValueType = (typeof GgufValueType)[keyof typeof GgufValueType];

/** Byte size of each fixed-size value type (STRING and ARRAY are variable). */
export const GGUF_VALUE_SIZE: Readonly<Record<number, number>> = {
  0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8,
};

/**
 * llama.cpp's `llama_ftype` (general.file_type) as quantization names.
 * Checked against include/llama.h in ggml-org/llama.cpp; 4-6 and 33-35 were removed upstream.
 */
const FILE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1',
  10: 'Q2_K', 11: 'Q3_K_S', 12: 'Q3_K_M', 13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M',
  16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K', 19: 'IQ2_XXS', 20: 'IQ2_XS', 21: 'Q2_K_S',
  22: 'IQ3_XS', 23: 'IQ3_XXS', 24: 'IQ1_S', 25: 'IQ4_NL', 26: 'IQ3_S', 27: 'IQ3_M',
  28: 'IQ2_S', 29: 'IQ2_M', 30: 'IQ4_XS', 31: 'IQ1_M', 32: 'BF16',
  36: 'TQ1_0', 37: 'TQ2_0', 38: 'MXFP4_MOE', 39: 'NVFP4',
};

/** 'Q4_K_M' for 15, and so on; undefined for numbers llama.cpp does not define. */
export function quantizationName(fileType: number): string | undefined {
  return FILE_TYPE_NAMES[fileType];
}

/** ggml tensor types (enum ggml_type in ggml/include/ggml.h) that GGUF files use. */
const TENSOR_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 6: 'Q5_0', 7: 'Q5_1', 8: 'Q8_0', 9: 'Q8_1',
  10: 'Q2_K', 11: 'Q3_K', 12: 'Q4_K', 13: 'Q5_K', 14: 'Q6_K', 15: 'Q8_K',
  16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S', 20: 'IQ4_NL', 21: 'IQ3_S',
  22: 'IQ2_S', 23: 'IQ4_XS', 24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64',
  29: 'IQ1_M', 30: 'BF16', 34: 'TQ1_0', 35: 'TQ2_0', 39: 'MXFP4',
};

export function tensorTypeName(type: number): string | undefined {
  return TENSOR_TYPE_NAMES[type];
}

/**
 * The file type llama.cpp guesses when general.file_type is missing: the type of most tensors
 * (llama_model_loader picks the most common type, K-quants map to their _M variant).
 */
const TENSOR_TYPE_TO_FILE_TYPE: Readonly<Record<number, number>> = {
  0: 0, 1: 1, 30: 32, 2: 2, 3: 3, 6: 8, 7: 9, 8: 7, 10: 10, 11: 12, 12: 15, 13: 17, 14: 18,
  16: 19, 17: 20, 18: 23, 19: 24, 20: 25, 21: 26, 22: 28, 23: 30, 29: 31, 34: 36, 35: 37, 39: 38,
};

export function fileTypeForTensorType(type: number): number | undefined {
  return TENSOR_TYPE_TO_FILE_TYPE[type];
}

/** ggml block layout per tensor type: elements per block, bytes per block (ggml/src/ggml.c type_traits). */
const TENSOR_BLOCKS: Readonly<Record<number, readonly [number, number]>> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36],
  10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292],
  16: [256, 66], 17: [256, 74], 18: [256, 98], 19: [256, 50], 20: [32, 18], 21: [256, 110],
  22: [256, 82], 23: [256, 136], 24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8],
  29: [256, 56], 30: [1, 2], 34: [256, 54], 35: [256, 66], 39: [32, 17],
};

/** Bytes of a tensor's data; undefined for a type whose layout is not known here. */
export function tensorDataBytes(type: number, dims: readonly number[]): number | undefined {
  const block = TENSOR_BLOCKS[type];
  if (!block) return undefined;
  const elements = dims.reduce((n, d) => n * d, 1);
  return Math.ceil(elements / block[0]) * block[1];
}
