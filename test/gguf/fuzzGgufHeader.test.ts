/**
 * GGUF files come from strangers (a crafted one whose tensor offsets pointed past the file leaked Ollama's memory:
 * CVE-2026-7482). Thousands of mutated and truncated headers go through the parser, the summary and the data-end
 * check: each gives a GgufParseError or a result, never another exception, a hang or a huge allocation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ggufDataEnd } from '../../src/gguf/ggufDataEnd.ts';
import { GgufParseError } from '../../src/gguf/GgufParseError.ts';
import { parseGgufHeader } from '../../src/gguf/parseGgufHeader.ts';
import { summarizeGguf } from '../../src/gguf/summarizeGguf.ts';
import { buildTinyGguf } from '../support/writeTinyGguf.ts';

/** mulberry32: the same cases on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HUGE = [2n ** 40n, 2n ** 63n - 1n, 2n ** 64n - 1n, 2n ** 32n, 2n ** 31n, 0xffffffffn, 1_000_001n];

/** One mutation of `base`: a flipped byte, a field overwritten with a huge count or length, a cut, a splice. */
function mutate(base: Uint8Array, random: () => number): Uint8Array {
  const bytes = new Uint8Array(base);
  const at = Math.floor(random() * bytes.length);
  const view = new DataView(bytes.buffer);
  switch (Math.floor(random() * 6)) {
    case 0: // a few random bytes
      for (let i = 0; i < 1 + Math.floor(random() * 8); i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      return bytes;
    case 1: // a u64 (count, string length, dimension or offset) made huge, at an 8-aligned or any position
      if (at + 8 <= bytes.length) view.setBigUint64(at - (random() < 0.5 ? at % 8 : 0), HUGE[Math.floor(random() * HUGE.length)]!, true);
      return bytes;
    case 2: // a u32 (type, version, dimension count) made strange
      if (at + 4 <= bytes.length) view.setUint32(at, [0xffffffff, 13, 99, 1024, 9, 8][Math.floor(random() * 6)]!, true);
      return bytes;
    case 3: // cut anywhere
      return bytes.subarray(0, at);
    case 4: // a piece repeated (longer strings and arrays than announced)
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + Math.floor(random() * 64)), bytes.subarray(at)]);
    default: // the counts of the header itself
      view.setBigUint64(8 + (random() < 0.5 ? 0 : 8), HUGE[Math.floor(random() * HUGE.length)]!, true);
      return bytes;
  }
}

describe('the GGUF header parser against hostile files', () => {
  it('5000 mutated and truncated headers: a parse error or a result, with bounded memory', () => {
    const tiny = buildTinyGguf();
    // The header and a little data: what a range read or a local check sees first.
    const base = tiny.bytes.subarray(0, tiny.summary.tensorDataOffset + 256);
    const random = prng(7482);
    const heapBefore = process.memoryUsage().heapUsed;
    let parsed = 0;
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      let bytes = mutate(base, random);
      if (random() < 0.3) bytes = mutate(bytes, random);
      try {
        const result = parseGgufHeader(bytes, { maxArrayItems: 16 });
        if (!result.complete) {
          assert.ok(Number.isFinite(result.needBytes) && result.needBytes > bytes.length, `case ${i}: asks for more bytes`);
          continue;
        }
        const end = ggufDataEnd(result);
        assert.ok(Number.isFinite(end) || end === Infinity, `case ${i}: a data end`);
        summarizeGguf(result);
        parsed++;
      } catch (error) {
        assert.ok(error instanceof GgufParseError, `case ${i}: ${(error as Error).name}: ${(error as Error).message}`);
        refused++;
      }
    }
    assert.ok(parsed > 100 && refused > 100, `both outcomes exercised (${parsed} parsed, ${refused} refused)`);
    const grownMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.ok(grownMiB < 256, `heap grew ${grownMiB.toFixed(0)} MiB`);
  });

  it('offsets and sizes past the end of the file make the data end lie beyond it, so the file is refused', () => {
    const tiny = buildTinyGguf();
    const header = parseGgufHeader(tiny.bytes);
    assert.ok(header.complete);
    assert.equal(ggufDataEnd(header), tiny.bytes.length);
    const far = { ...header, tensors: header.tensors.map((t, i) => (i === 0 ? { ...t, offset: 2 ** 40 } : t)) };
    assert.ok(ggufDataEnd(far) > 2 ** 40);
  });
});
