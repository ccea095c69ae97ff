import { GgufParseError } from './GgufParseError.js';
import { GGUF_VALUE_SIZE, GgufValueType } from './ggufTypes.js';

export { GgufParseError } from './GgufParseError.js';

/**
 * Pure GGUF v2/v3 header parser (no fs, no network): magic, version, metadata and tensor infos.
 * Layout (little-endian): "GGUF", u32 version, u64 tensor count, u64 metadata count,
 * metadata (string key, u32 type, value)*, tensor infos (string name, u32 n_dims, u64 dims[n], u32 type, u64 offset)*,
 * padding to general.alignment, then tensor data.
 */

export type GgufScalar = number | bigint | boolean | string;
export type GgufValue = GgufScalar | GgufArray;

/** A metadata array. Long arrays keep only their first `maxArrayItems` items; `length` is the real length. */
export interface GgufArray {
  type: 'array';
  itemType: number;
  length: number;
  items: GgufValue[];
}

export interface GgufTensorInfo {
  name: string;
  /** ne[0], ne[1], ... as stored (innermost first). */
  dims: number[];
  /** ggml_type number (see tensorTypeName). */
  type: number;
  /** Offset of the tensor's data from tensorDataOffset. */
  offset: number;
}

export interface GgufHeader {
  complete: true;
  version: number;
  tensorCount: number;
  /** Keys in file order; u64/i64 values that do not fit a double stay bigint. */
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Where the tensor infos end. */
  headerBytes: number;
  /** Where tensor data begins: headerBytes rounded up to the alignment. */
  tensorDataOffset: number;
}

export interface GgufIncomplete {
  complete: false;
  /** How many bytes from the start of the file to fetch before trying again (a guess, at least one more byte). */
  needBytes: number;
}

export interface ParseGgufOptions {
  /** Arrays longer than this keep only this many items (default 16). */
  maxArrayItems?: number;
}

const LIMITS = {
  tensors: 1_000_000,
  metadata: 1_000_000,
  stringBytes: 256 * 1024 * 1024,
  arrayItems: 1 << 30,
  dims: 4, // GGML_MAX_DIMS
  tensorType: 1024,
};
const GUESS = { kvBytes: 64, tensorBytes: 96, arrayItemBytes: 16 };

/** Thrown inside the parser when the buffer ends too early; never escapes parseGgufHeader. */
class OutOfData {
  constructor(readonly needEnd: number) {}
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  private readonly decoder = new TextDecoder('utf-8');
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  ensure(n: number): void {
    if (this.pos + n > this.bytes.length) throw new OutOfData(this.pos + n);
  }
  skip(n: number): void {
    this.ensure(n);
    this.pos += n;
  }
  u32(): number {
    this.ensure(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.ensure(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A u64 count or size that must not exceed `max`. */
  count(what: string, max: number): number {
    const v = this.u64();
    if (v > BigInt(max)) throw new GgufParseError(`${what} is ${v}, more than the limit of ${max}`);
    return Number(v);
  }
  stringLength(what: string): number {
    return this.count(`length of ${what}`, LIMITS.stringBytes);
  }
  string(what: string): string {
    const n = this.stringLength(what);
    this.ensure(n);
    const s = this.decoder.decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  scalar(type: number): GgufScalar {
    const size = GGUF_VALUE_SIZE[type] ?? 0;
    this.ensure(size);
    const v = this.view;
    const p = this.pos;
    this.pos += size;
    switch (type) {
      case GgufValueType.UINT8: return v.getUint8(p);
      case GgufValueType.INT8: return v.getInt8(p);
      case GgufValueType.UINT16: return v.getUint16(p, true);
      case GgufValueType.INT16: return v.getInt16(p, true);
      case GgufValueType.UINT32: return v.getUint32(p, true);
      case GgufValueType.INT32: return v.getInt32(p, true);
      case GgufValueType.FLOAT32: return v.getFloat32(p, true);
      case GgufValueType.BOOL: return v.getUint8(p) !== 0;
      case GgufValueType.UINT64: return toNumberIfSafe(v.getBigUint64(p, true));
      case GgufValueType.INT64: return toNumberIfSafe(v.getBigInt64(p, true));
      case GgufValueType.FLOAT64: return v.getFloat64(p, true);
      default: throw new Error(`unreachable value type ${type}`);
    }
  }
}

function toNumberIfSafe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Progress that the needBytes guess uses. */
interface Progress {
  kvLeft: number;
  tensorsLeft: number;
  tensorBytesSeen: number;
  tensorsSeen: number;
  /** Innermost array being read: items still to read and the bytes per item so far. */
  array?: { left: number; start: number; done: number };
  /** Vocabulary size once tokenizer.ggml.tokens starts, and the 4-byte per-token arrays (token_type, scores) not yet begun. */
  vocab: number;
  perTokenArraysLeft: number;
}

class ValueReader {
  constructor(private readonly r: Reader, private readonly maxItems: number, private readonly progress: Progress) {}

  value(type: number, key: string, depth = 0): GgufValue {
    if (type === GgufValueType.STRING) return this.r.string(`the string value of ${key}`);
    if (type === GgufValueType.ARRAY) return this.array(key, depth);
    if (GGUF_VALUE_SIZE[type] === undefined) throw new GgufParseError(`unknown value type ${type} for metadata key "${key}"`);
    return this.r.scalar(type);
  }

  private array(key: string, depth: number): GgufArray {
    if (depth > 8) throw new GgufParseError(`arrays nested too deeply in metadata key "${key}"`);
    const itemType = this.r.u32();
    if (itemType !== GgufValueType.ARRAY && itemType !== GgufValueType.STRING && GGUF_VALUE_SIZE[itemType] === undefined) {
      throw new GgufParseError(`unknown array item type ${itemType} for metadata key "${key}"`);
    }
    const length = this.r.count(`array length of "${key}"`, LIMITS.arrayItems);
    if (depth === 0 && key === 'tokenizer.ggml.tokens') this.progress.vocab = length;
    const items: GgufValue[] = [];
    const outer = this.progress.array;
    const state = { left: length, start: this.r.pos, done: 0 };
    this.progress.array = state;
    for (let i = 0; i < length; i++) {
      if (i < this.maxItems) {
        items.push(this.value(itemType, key, depth + 1));
      } else {
        const size = GGUF_VALUE_SIZE[itemType];
        if (size !== undefined) {
          this.r.skip((length - i) * size);
          break;
        }
        if (itemType === GgufValueType.STRING) this.r.skip(this.r.stringLength(`an item of ${key}`));
        else this.array(key, depth + 1);
      }
      state.left = length - i - 1;
      state.done = i + 1;
    }
    this.progress.array = outer;
    return { type: 'array', itemType, length, items };
  }
}

/** Parses a GGUF header from a prefix of the file. */
export function parseGgufHeader(bytes: Uint8Array, options: ParseGgufOptions = {}): GgufHeader | GgufIncomplete {
  const r = new Reader(bytes);
  const progress: Progress = { kvLeft: 0, tensorsLeft: 0, tensorBytesSeen: 0, tensorsSeen: 0, vocab: 0, perTokenArraysLeft: 2 };
  try {
    return parse(r, options.maxArrayItems ?? 16, progress);
  } catch (e) {
    if (!(e instanceof OutOfData)) throw e;
    return { complete: false, needBytes: guessNeedBytes(r, e.needEnd, progress) };
  }
}

function parse(r: Reader, maxItems: number, progress: Progress): GgufHeader {
  r.ensure(4);
  const magic = r.bytes.subarray(0, 4);
  if (String.fromCharCode(...magic) !== 'GGUF') {
    throw new GgufParseError(`bad magic ${JSON.stringify(String.fromCharCode(...magic))} (expected "GGUF"); this is not a GGUF file`);
  }
  r.pos = 4;
  const version = r.u32();
  if (version === 1) throw new GgufParseError('GGUF version 1 is obsolete and not supported; re-convert the model');
  if (version !== 2 && version !== 3) {
    throw new GgufParseError(`unsupported version ${version} (expected 2 or 3${version > 0xffff ? '; a big-endian file?' : ''})`);
  }
  const tensorCount = r.count('tensor count', LIMITS.tensors);
  const kvCount = r.count('metadata count', LIMITS.metadata);

  const metadata: Record<string, GgufValue> = Object.create(null);
  const values = new ValueReader(r, maxItems, progress);
  progress.tensorsLeft = tensorCount;
  for (let i = 0; i < kvCount; i++) {
    progress.kvLeft = kvCount - i - 1;
    const key = r.string('a metadata key');
    const type = r.u32();
    if (type !== GgufValueType.STRING && type !== GgufValueType.ARRAY && GGUF_VALUE_SIZE[type] === undefined) {
      throw new GgufParseError(`unknown value type ${type} for metadata key "${key}"`);
    }
    if (key in metadata) throw new GgufParseError(`duplicate metadata key "${key}"`);
    if (key === 'tokenizer.ggml.token_type' || key === 'tokenizer.ggml.scores') progress.perTokenArraysLeft--;
    metadata[key] = values.value(type, key);
  }
  progress.kvLeft = 0;

  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const start = r.pos;
    tensors.push(readTensorInfo(r));
    progress.tensorsLeft = tensorCount - i - 1;
    progress.tensorsSeen++;
    progress.tensorBytesSeen += r.pos - start;
  }

  const alignment = readAlignment(metadata);
  const headerBytes = r.pos;
  const tensorDataOffset = Math.ceil(headerBytes / alignment) * alignment;
  return { complete: true, version, tensorCount, metadata, tensors, alignment, headerBytes, tensorDataOffset };
}

function readTensorInfo(r: Reader): GgufTensorInfo {
  const name = r.string('a tensor name');
  const nDims = r.u32();
  if (nDims > LIMITS.dims) throw new GgufParseError(`tensor "${name}" has ${nDims} dimensions (at most ${LIMITS.dims})`);
  const dims: number[] = [];
  let elements = 1;
  for (let d = 0; d < nDims; d++) {
    const n = r.count(`dimension ${d} of tensor "${name}"`, Number.MAX_SAFE_INTEGER);
    elements *= n;
    if (elements > Number.MAX_SAFE_INTEGER) throw new GgufParseError(`tensor "${name}" has too many elements`);
    dims.push(n);
  }
  const type = r.u32();
  if (type >= LIMITS.tensorType) throw new GgufParseError(`tensor "${name}" has unknown type ${type}`);
  const offset = r.count(`data offset of tensor "${name}"`, Number.MAX_SAFE_INTEGER);
  return { name, dims, type, offset };
}

function readAlignment(metadata: Record<string, GgufValue>): number {
  const a = metadata['general.alignment'];
  if (a === undefined) return 32;
  if (typeof a !== 'number' || !Number.isInteger(a) || a <= 0 || (a & (a - 1)) !== 0) {
    throw new GgufParseError(`general.alignment must be a power of two, got ${String(a)}`);
  }
  return a;
}

/**
 * Guess the total prefix length that holds the header: what is known to be needed, plus the rest of
 * the current array (at the bytes per item seen so far), plus rough sizes for the remaining metadata,
 * the per-token arrays that usually follow the vocabulary, and the tensor infos; and at least twice the
 * current prefix, so a caller never needs more than a few round trips.
 */
function guessNeedBytes(r: Reader, needEnd: number, p: Progress): number {
  let rest = p.kvLeft * GUESS.kvBytes + p.vocab * 4 * Math.max(p.perTokenArraysLeft, 0);
  rest += p.tensorsLeft * (p.tensorsSeen > 0 ? p.tensorBytesSeen / p.tensorsSeen : GUESS.tensorBytes);
  if (p.array) {
    const perItem = p.array.done > 0 ? (r.pos - p.array.start) / p.array.done : GUESS.arrayItemBytes;
    rest += p.array.left * Math.max(perItem, 1);
  }
  return Math.ceil(Math.max(needEnd, r.pos + rest, 2 * r.bytes.length, 1024));
}
