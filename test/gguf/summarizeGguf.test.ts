import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantizationName, tensorTypeName } from '../../src/gguf/ggufTypes.js';
import { parseGgufHeader, type GgufHeader } from '../../src/gguf/parseGgufHeader.js';
import { summarizeGguf } from '../../src/gguf/summarizeGguf.js';
import { buildTinyGguf, encodeGguf, gguf, TINY_CHAT_TEMPLATE, type GgufWriteValue } from '../support/writeTinyGguf.js';

const parse = (bytes: Uint8Array) => parseGgufHeader(bytes) as GgufHeader;

describe('quantization names', () => {
  it('follow llama.cpp llama_ftype numbering', () => {
    const table: Array<[number, string]> = [
      [0, 'F32'], [1, 'F16'], [2, 'Q4_0'], [3, 'Q4_1'], [7, 'Q8_0'], [8, 'Q5_0'], [9, 'Q5_1'], [10, 'Q2_K'],
      [11, 'Q3_K_S'], [12, 'Q3_K_M'], [13, 'Q3_K_L'], [14, 'Q4_K_S'], [15, 'Q4_K_M'], [16, 'Q5_K_S'], [17, 'Q5_K_M'],
      [18, 'Q6_K'], [19, 'IQ2_XXS'], [20, 'IQ2_XS'], [21, 'Q2_K_S'], [22, 'IQ3_XS'], [23, 'IQ3_XXS'], [24, 'IQ1_S'],
      [25, 'IQ4_NL'], [26, 'IQ3_S'], [27, 'IQ3_M'], [28, 'IQ2_S'], [29, 'IQ2_M'], [30, 'IQ4_XS'], [31, 'IQ1_M'], [32, 'BF16'],
    ];
    for (const [fileType, name] of table) assert.equal(quantizationName(fileType), name, String(fileType));
    for (const removed of [4, 5, 6, 33, 34, 35, 1024]) assert.equal(quantizationName(removed), undefined);
    assert.equal(tensorTypeName(12), 'Q4_K');
    assert.equal(tensorTypeName(30), 'BF16');
  });
});

describe('summarizeGguf', () => {
  it('summarizes the tiny model', () => {
    const tiny = buildTinyGguf();
    const summary = summarizeGguf(parse(tiny.bytes));
    assert.deepEqual(summary, {
      architecture: 'llama',
      name: 'Tiny Devstral Test',
      contextLength: 4096,
      blockCount: 2,
      embeddingLength: 64,
      headCount: 4,
      headCountKv: 2,
      keyLength: 16,
      vocabSize: tiny.summary.vocabSize,
      fileType: 0,
      fileTypeGuessed: false,
      quantization: 'F32',
      parameterCount: tiny.summary.parameterCount,
      chatTemplate: TINY_CHAT_TEMPLATE,
      tensorDataOffset: tiny.summary.tensorDataOffset,
    });
  });

  it('follows the writer options', () => {
    const tiny = buildTinyGguf({
      name: 'Other', embeddingLength: 128, blockCount: 3, headCount: 8, headCountKv: 8, headDim: 32, feedForwardLength: 256,
      contextLength: 131072, tensorType: 'F16', fileType: 15, chatTemplate: false,
    });
    const summary = summarizeGguf(parse(tiny.bytes));
    assert.equal(summary.name, 'Other');
    assert.equal(summary.embeddingLength, 128);
    assert.equal(summary.blockCount, 3);
    assert.equal(summary.headCountKv, 8);
    assert.equal(summary.keyLength, 32);
    assert.equal(summary.contextLength, 131072);
    assert.equal(summary.fileType, 15);
    assert.equal(summary.quantization, 'Q4_K_M');
    assert.equal(summary.chatTemplate, undefined);
    assert.equal(summary.parameterCount, tiny.summary.parameterCount);
  });

  const minimal = (extra: Array<[string, GgufWriteValue]>, tensorType = 12) =>
    encodeGguf(
      [
        ['general.architecture', gguf.str('mistral3')],
        ['mistral3.context_length', gguf.u32(131072)],
        ['mistral3.block_count', gguf.u32(40)],
        ['mistral3.embedding_length', gguf.u32(5120)],
        ['mistral3.attention.head_count', gguf.u32(32)],
        ...extra,
      ],
      [
        { name: 'blk.0.attn_norm.weight', dims: [5120], type: 0 },
        { name: 'blk.0.attn_norm2.weight', dims: [5120], type: 0 },
        { name: 'blk.0.attn_q.weight', dims: [5120, 4096], type: tensorType },
      ],
    ).bytes;

  it('uses the architecture prefix, defaults head_count_kv, guesses a missing file type from the tensors', () => {
    const summary = summarizeGguf(parse(minimal([])));
    assert.equal(summary.architecture, 'mistral3');
    assert.equal(summary.headCountKv, 32);
    assert.equal(summary.keyLength, undefined);
    assert.equal(summary.name, undefined);
    assert.equal(summary.fileType, 15);
    assert.equal(summary.fileTypeGuessed, true);
    assert.equal(summary.quantization, 'Q4_K_M');
    assert.equal(summary.parameterCount, 5120 * 2 + 5120 * 4096);
    assert.equal(summarizeGguf(parse(minimal([], 30))).quantization, 'BF16');
  });

  it('reports split files and unknown file types', () => {
    const summary = summarizeGguf(parse(minimal([
      ['split.no', { type: 'u16', value: 1 }],
      ['split.count', { type: 'u16', value: 3 }],
      ['split.tensors.count', gguf.i32(363)],
      ['general.file_type', gguf.u32(99)],
    ])));
    assert.deepEqual(summary.split, { count: 3, index: 1, tensorCount: 363 });
    assert.equal(summary.quantization, 'unknown(99)');
    assert.equal(summarizeGguf(parse(minimal([]))).split, undefined);
  });

  it('takes the largest value of a per-layer array', () => {
    const summary = summarizeGguf(parse(minimal([['mistral3.attention.head_count_kv', gguf.i32s([8, 4, 8])]])));
    assert.equal(summary.headCountKv, 8);
  });

  it('throws a clear error when a required key is missing', () => {
    assert.throws(() => summarizeGguf(parse(encodeGguf([], []).bytes)), /Invalid GGUF: metadata has no general.architecture/);
    const noContext = encodeGguf([['general.architecture', gguf.str('llama')]], []).bytes;
    assert.throws(() => summarizeGguf(parse(noContext)), /metadata has no llama.attention.head_count/);
  });
});
