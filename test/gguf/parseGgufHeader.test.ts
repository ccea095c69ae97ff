import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGgufHeader, type GgufHeader, type GgufValue } from '../../src/gguf/parseGgufHeader.js';
import { buildTinyGguf, encodeGguf, gguf, GGUF_TYPE_CODES, type GgufWriteValue } from '../support/writeTinyGguf.js';

/** What the parser should return for a written value. */
function expected(v: GgufWriteValue, maxItems: number): GgufValue {
  switch (v.type) {
    case 'array':
      return { type: 'array', itemType: GGUF_TYPE_CODES[v.itemType], length: v.items.length, items: v.items.slice(0, maxItems).map((i) => expected(i, maxItems)) };
    case 'f32': return Math.fround(Number(v.value));
    case 'u64':
    case 'i64': {
      const b = BigInt(v.value);
      return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b;
    }
    default: return v.value;
  }
}

function parseComplete(bytes: Uint8Array, maxArrayItems?: number): GgufHeader {
  const result = parseGgufHeader(bytes, maxArrayItems === undefined ? {} : { maxArrayItems });
  assert.equal(result.complete, true, 'expected a complete header');
  return result as GgufHeader;
}

describe('parseGgufHeader on the tiny GGUF', () => {
  const tiny = buildTinyGguf({ tensorType: 'F16' });

  it('round-trips every metadata key, in order, with full arrays', () => {
    const header = parseComplete(tiny.bytes, 1_000_000);
    assert.equal(header.version, 3);
    assert.deepEqual(Object.keys(header.metadata), tiny.metadata.map(([k]) => k));
    for (const [key, value] of tiny.metadata) {
      assert.deepEqual(header.metadata[key], expected(value, 1_000_000), key);
    }
  });

  it('keeps only the first items of long arrays, with their real length', () => {
    const header = parseComplete(tiny.bytes);
    const tokens = header.metadata['tokenizer.ggml.tokens'];
    assert.ok(typeof tokens === 'object');
    assert.equal(tokens.length, tiny.summary.vocabSize);
    assert.deepEqual(tokens.items, ['<unk>', '<s>', '</s>', '[INST]', '[/INST]', '[AVAILABLE_TOOLS]', '[/AVAILABLE_TOOLS]',
      '[TOOL_CALLS]', '[TOOL_RESULTS]', '[/TOOL_RESULTS]', '[SYSTEM_PROMPT]', '[/SYSTEM_PROMPT]', '[ARGS]', '[CALL_ID]', '\u0100', '\u0101']);
    assert.deepEqual(parseComplete(tiny.bytes, 0).metadata['tokenizer.ggml.merges'], { type: 'array', itemType: 8, length: 10, items: [] });
  });

  it('reads tensor infos and where the data starts', () => {
    const header = parseComplete(tiny.bytes);
    assert.equal(header.tensorCount, tiny.tensors.length);
    assert.deepEqual(header.tensors.map(({ name, dims, type }) => ({ name, dims, type })), tiny.tensors);
    assert.equal(header.alignment, 32);
    assert.equal(header.tensorDataOffset, tiny.summary.tensorDataOffset);
    assert.ok(header.headerBytes <= header.tensorDataOffset && header.tensorDataOffset - header.headerBytes < 32);
    const last = header.tensors.at(-1)!;
    assert.equal(header.tensorDataOffset + last.offset + last.dims.reduce((a, b) => a * b) * 2, tiny.bytes.length);
    for (const t of header.tensors) assert.equal(t.offset % 32, 0, t.name);
  });

  it('is complete as soon as the tensor infos are in the prefix', () => {
    const header = parseComplete(tiny.bytes);
    for (let cut = header.headerBytes; cut <= header.tensorDataOffset; cut++) {
      assert.equal(parseGgufHeader(tiny.bytes.subarray(0, cut)).complete, true, `cut at ${cut}`);
    }
  });
});

describe('parseGgufHeader value types', () => {
  const values: Array<[string, GgufWriteValue]> = [
    ['t.u8', { type: 'u8', value: 255 }],
    ['t.i8', { type: 'i8', value: -128 }],
    ['t.u16', { type: 'u16', value: 65535 }],
    ['t.i16', { type: 'i16', value: -32768 }],
    ['t.u32', { type: 'u32', value: 4294967295 }],
    ['t.i32', { type: 'i32', value: -2147483648 }],
    ['t.f32', { type: 'f32', value: 0.1 }],
    ['t.f64', { type: 'f64', value: Math.PI }],
    ['t.bool.true', { type: 'bool', value: true }],
    ['t.bool.false', { type: 'bool', value: false }],
    ['t.string', gguf.str('héllo ✓ [INST]')],
    ['t.string.empty', gguf.str('')],
    ['t.u64.small', { type: 'u64', value: 12345678901 }],
    ['t.u64.huge', { type: 'u64', value: 2n ** 64n - 1n }],
    ['t.i64.negative', { type: 'i64', value: -(2n ** 62n) }],
    ['t.i64.small', { type: 'i64', value: -5 }],
    ['t.array.empty', { type: 'array', itemType: 'u32', items: [] }],
    ['t.array.f64', { type: 'array', itemType: 'f64', items: [1.5, -2.25].map((value) => ({ type: 'f64', value })) }],
    ['t.array.bool', { type: 'array', itemType: 'bool', items: [gguf.bool(true), gguf.bool(false)] }],
    ['t.array.nested', { type: 'array', itemType: 'array', items: [gguf.strings(['a', 'b']), gguf.strings([]), gguf.strings(['c'])] }],
    ['t.array.long.u16', { type: 'array', itemType: 'u16', items: Array.from({ length: 40 }, (_, i) => ({ type: 'u16', value: i })) }],
    ['t.array.long.strings', gguf.strings(Array.from({ length: 40 }, (_, i) => `s${i}`))],
    ['t.array.long.nested', { type: 'array', itemType: 'array', items: Array.from({ length: 20 }, (_, i) => gguf.i32s([i, i])) }],
  ];
  const file = encodeGguf([...values, ['t.after', gguf.str('still aligned')]], [{ name: 'w', dims: [3, 2], type: 0 }]);

  for (const maxItems of [16, 3, 0]) {
    it(`decodes every value type (maxArrayItems ${maxItems})`, () => {
      const header = parseComplete(file.bytes, maxItems);
      for (const [key, value] of values) assert.deepEqual(header.metadata[key], expected(value, maxItems), key);
      assert.equal(header.metadata['t.after'], 'still aligned');
      assert.deepEqual(header.tensors, [{ name: 'w', dims: [3, 2], type: 0, offset: 0 }]);
    });
  }

  it('reads GGUF v2 and honours general.alignment', () => {
    const v2 = encodeGguf([['general.alignment', gguf.u32(64)]], [{ name: 'x', dims: [5], type: 0 }], { version: 2, alignment: 64 });
    const header = parseComplete(v2.bytes);
    assert.equal(header.version, 2);
    assert.equal(header.alignment, 64);
    assert.equal(header.tensorDataOffset, 64 * Math.ceil(header.headerBytes / 64));
    assert.equal(header.tensorDataOffset, v2.tensorDataOffset);
  });

  it('keeps a key named __proto__ as plain data', () => {
    const header = parseComplete(encodeGguf([['__proto__', gguf.str('x')]], []).bytes);
    assert.equal(header.metadata['__proto__'], 'x');
  });
});

describe('parseGgufHeader on a prefix', () => {
  /** What a caller does: fetch needBytes (never past the end of the file) until the header is complete. */
  function fetchRounds(bytes: Uint8Array, start: number): number {
    let length = start;
    for (let rounds = 0; rounds < 50; rounds++) {
      const result = parseGgufHeader(bytes.subarray(0, length));
      if (result.complete) return rounds;
      assert.ok(Number.isInteger(result.needBytes) && result.needBytes > length, `needBytes ${result.needBytes} after ${length}`);
      length = Math.min(result.needBytes, bytes.length);
    }
    throw new Error('never completed');
  }

  const tiny = buildTinyGguf();
  const { headerBytes } = parseComplete(tiny.bytes);

  it('returns complete:false with needBytes beyond the prefix for every cut inside the header', () => {
    for (let cut = 0; cut < headerBytes; cut++) {
      const result = parseGgufHeader(tiny.bytes.subarray(0, cut));
      assert.equal(result.complete, false, `cut at ${cut}`);
      assert.ok(!result.complete && result.needBytes > cut && Number.isInteger(result.needBytes), `cut at ${cut}`);
    }
  });

  it('converges in a few round trips from any cut', () => {
    for (let cut = 0; cut < headerBytes; cut += 7) {
      assert.ok(fetchRounds(tiny.bytes, cut) <= 4, `cut at ${cut}`);
    }
  });

  it('guesses the size of a large vocabulary from the items seen so far', () => {
    const tokens = Array.from({ length: 150_000 }, (_, i) => `tok${i}`);
    const big = encodeGguf(
      [['general.architecture', gguf.str('llama')], ['tokenizer.ggml.tokens', gguf.strings(tokens)], ['tokenizer.ggml.token_type', gguf.i32s(tokens.map(() => 1))]],
      Array.from({ length: 300 }, (_, i) => ({ name: `blk.${i}.attn_q.weight`, dims: [5120, 4096], type: 12 })),
    );
    const result = parseGgufHeader(big.bytes.subarray(0, 64 * 1024));
    assert.ok(!result.complete);
    // 150k tokens of ~17 bytes plus 600 KB of token types plus tensor infos: the guess should land near 3.2 MB.
    assert.ok(result.needBytes > 0.8 * big.headerBytes && result.needBytes < 1.5 * big.headerBytes, `needBytes ${result.needBytes} for ${big.headerBytes}`);
    assert.ok(fetchRounds(big.bytes, 64 * 1024) <= 3);
    const parsed = parseComplete(big.bytes).metadata['tokenizer.ggml.tokens'];
    assert.ok(typeof parsed === 'object' && parsed.length === 150_000 && parsed.items.length === 16);
  });
});
