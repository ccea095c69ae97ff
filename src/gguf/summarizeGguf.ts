import { fileTypeForTensorType, quantizationName } from './ggufTypes.js';
import type { GgufHeader, GgufValue } from './parseGgufHeader.js';
import { GgufParseError } from './GgufParseError.js';

export interface GgufSummary {
  architecture: string;
  name?: string;
  contextLength: number;
  blockCount: number;
  embeddingLength: number;
  headCount: number;
  /** Defaults to headCount when the file does not say (no GQA). */
  headCountKv: number;
  /** attention.key_length, when the head size is not embeddingLength / headCount. */
  keyLength?: number;
  vocabSize?: number;
  /** llama.cpp's llama_ftype; guessed from the most common 2-D tensor type when general.file_type is missing. */
  fileType: number;
  fileTypeGuessed: boolean;
  /** 'Q4_K_M' etc.; 'unknown(N)' for a file type llama.cpp does not define. */
  quantization: string;
  parameterCount: number;
  chatTemplate?: string;
  /** Present for split GGUFs (`split.count` > 0): `index` is split.no, zero-based. */
  split?: { count: number; index: number; tensorCount?: number };
  tensorDataOffset: number;
}

/** The facts a planner needs from a parsed header. Throws GgufParseError when a required key is missing. */
export function summarizeGguf(header: GgufHeader): GgufSummary {
  const m = header.metadata;
  const architecture = m['general.architecture'];
  if (typeof architecture !== 'string' || architecture === '') {
    throw new GgufParseError('metadata has no general.architecture');
  }
  const num = (key: string): number | undefined => toNumber(m[key]);
  const required = (suffix: string): number => {
    const v = num(`${architecture}.${suffix}`);
    if (v === undefined) throw new GgufParseError(`metadata has no ${architecture}.${suffix}`);
    return v;
  };

  const headCount = required('attention.head_count');
  const { fileType, guessed } = resolveFileType(header);
  const summary: GgufSummary = {
    architecture,
    contextLength: required('context_length'),
    blockCount: required('block_count'),
    embeddingLength: required('embedding_length'),
    headCount,
    headCountKv: num(`${architecture}.attention.head_count_kv`) ?? headCount,
    fileType,
    fileTypeGuessed: guessed,
    quantization: quantizationName(fileType) ?? `unknown(${fileType})`,
    parameterCount: header.tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0),
    tensorDataOffset: header.tensorDataOffset,
  };

  const name = m['general.name'];
  if (typeof name === 'string') summary.name = name;
  const keyLength = num(`${architecture}.attention.key_length`);
  if (keyLength !== undefined) summary.keyLength = keyLength;
  const tokens = m['tokenizer.ggml.tokens'];
  const vocabSize = num(`${architecture}.vocab_size`) ?? (typeof tokens === 'object' ? tokens.length : undefined);
  if (vocabSize !== undefined) summary.vocabSize = vocabSize;
  const template = m['tokenizer.chat_template'];
  if (typeof template === 'string') summary.chatTemplate = template;
  const splitCount = num('split.count');
  if (splitCount !== undefined && splitCount > 0) {
    summary.split = { count: splitCount, index: num('split.no') ?? 0 };
    const splitTensors = num('split.tensors.count');
    if (splitTensors !== undefined) summary.split.tensorCount = splitTensors;
  }
  return summary;
}

/** Numbers as numbers; a per-layer array (some architectures) as its largest kept item. */
function toNumber(v: GgufValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object') {
    const items = v.items.map(toNumber).filter((x): x is number => x !== undefined);
    return items.length > 0 ? Math.max(...items) : undefined;
  }
  return undefined;
}

function resolveFileType(header: GgufHeader): { fileType: number; guessed: boolean } {
  const declared = toNumber(header.metadata['general.file_type']);
  if (declared !== undefined) return { fileType: declared, guessed: false };
  const counts = new Map<number, number>();
  for (const t of header.tensors) {
    if (t.dims.length >= 2) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = -1;
  for (const [type, count] of counts) {
    if (count > bestCount) [best, bestCount] = [type, count];
  }
  return { fileType: fileTypeForTensorType(best) ?? 0, guessed: true };
}
