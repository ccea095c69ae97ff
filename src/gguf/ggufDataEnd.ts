import { tensorDataBytes } from './ggufTypes.js';
import type { GgufHeader } from './parseGgufHeader.js';

/**
 * Where a GGUF's tensor data must end: the data offset plus the furthest tensor's offset and size (tensors of a
 * type whose layout is unknown count with their offset only). A file shorter than this is truncated. Pure.
 */
export function ggufDataEnd(header: GgufHeader): number {
  let end = header.tensorDataOffset;
  for (const t of header.tensors) end = Math.max(end, header.tensorDataOffset + t.offset + (tensorDataBytes(t.type, t.dims) ?? 0));
  return end;
}
