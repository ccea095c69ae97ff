import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GgufParseError, parseGgufHeader } from '../../src/gguf/parseGgufHeader.js';
import { encodeGguf, gguf, type GgufWriteValue } from '../support/writeTinyGguf.js';

type Field = string | ['u32', number] | ['u64', number | bigint] | ['str', string];

/** Raw bytes: a bare string is written as ASCII, ['str', s] as a GGUF string (u64 length + bytes). */
function bytesOf(...fields: Field[]): Uint8Array {
  const parts: Uint8Array[] = fields.map((f) => {
    if (typeof f === 'string') return new TextEncoder().encode(f);
    if (f[0] === 'str') return bytesOf(['u64', f[1].length], f[1]);
    const b = new Uint8Array(f[0] === 'u32' ? 4 : 8);
    const view = new DataView(b.buffer);
    if (f[0] === 'u32') view.setUint32(0, f[1], true);
    else view.setBigUint64(0, BigInt(f[1]), true);
    return b;
  });
  return Buffer.concat(parts);
}

/** A v3 header with `tensors` tensors and `kvs` metadata entries, followed by `rest`. */
const gguf3 = (tensors: number | bigint, kvs: number | bigint, ...rest: Field[]) =>
  bytesOf('GGUF', ['u32', 3], ['u64', tensors], ['u64', kvs], ...rest);

function assertInvalid(bytes: Uint8Array, message: RegExp): void {
  assert.throws(() => parseGgufHeader(bytes), (e: unknown) => {
    assert.ok(e instanceof GgufParseError, `expected GgufParseError, got ${String(e)}`);
    assert.match(e.message, /^Invalid GGUF: /);
    assert.match(e.message, message);
    return true;
  });
}

describe('parseGgufHeader rejects malformed input', () => {
  it('bad magic', () => {
    assertInvalid(bytesOf('GGML', ['u32', 3]), /bad magic "GGML".*not a GGUF file/);
    assertInvalid(new TextEncoder().encode('<!DOCTYPE html><html>'), /bad magic "<!DO"/);
  });

  it('unsupported versions', () => {
    assertInvalid(bytesOf('GGUF', ['u32', 1]), /version 1 is obsolete/);
    assertInvalid(bytesOf('GGUF', ['u32', 4]), /unsupported version 4 \(expected 2 or 3\)/);
    assertInvalid(bytesOf('GGUF', ['u32', 0x03000000]), /big-endian/);
  });

  it('absurd counts and lengths, even in a short prefix', () => {
    assertInvalid(gguf3(2n ** 40n, 0), /tensor count is 1099511627776, more than the limit/);
    assertInvalid(gguf3(0, 2n ** 63n), /metadata count is/);
    assertInvalid(gguf3(0, 1, ['u64', 2n ** 60n]), /length of a metadata key is/);
    assertInvalid(gguf3(0, 1, ['str', 'k'], ['u32', 8], ['u64', 2n ** 50n]), /length of the string value of k is/);
    assertInvalid(gguf3(0, 1, ['str', 'arr'], ['u32', 9], ['u32', 4], ['u64', 2n ** 40n]), /array length of "arr" is/);
  });

  it('unknown value types', () => {
    assertInvalid(gguf3(0, 1, ['str', 'x'], ['u32', 13]), /unknown value type 13 for metadata key "x"/);
    assertInvalid(gguf3(0, 1, ['str', 'x'], ['u32', 9], ['u32', 42], ['u64', 1]), /unknown array item type 42 for metadata key "x"/);
  });

  it('duplicate keys', () => {
    assertInvalid(encodeGguf([['a', gguf.u32(1)], ['a', gguf.u32(2)]], []).bytes, /duplicate metadata key "a"/);
  });

  it('arrays nested too deeply', () => {
    let value: GgufWriteValue = gguf.strings(['x']);
    for (let i = 0; i < 10; i++) value = { type: 'array', itemType: 'array', items: [value] };
    assertInvalid(encodeGguf([['deep', value]], []).bytes, /nested too deeply in metadata key "deep"/);
  });

  it('bad tensor infos', () => {
    const tensor = (nDims: number, dims: Array<number | bigint>, type: number) =>
      gguf3(1, 0, ['str', 't'], ['u32', nDims], ...dims.map((d): Field => ['u64', d]), ['u32', type], ['u64', 0]);
    assertInvalid(tensor(5, [1, 1, 1, 1, 1], 0), /tensor "t" has 5 dimensions \(at most 4\)/);
    assertInvalid(tensor(2, [2n ** 40n, 2n ** 40n], 0), /tensor "t" has too many elements/);
    assertInvalid(tensor(1, [2n ** 60n], 0), /dimension 0 of tensor "t" is/);
    assertInvalid(tensor(1, [8], 5000), /tensor "t" has unknown type 5000/);
  });

  it('an alignment that is not a power of two', () => {
    assertInvalid(encodeGguf([['general.alignment', gguf.u32(48)]], []).bytes, /general.alignment must be a power of two, got 48/);
    assertInvalid(encodeGguf([['general.alignment', gguf.str('32')]], []).bytes, /power of two/);
  });
});
