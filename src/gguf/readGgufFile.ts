import { open, type FileHandle } from 'node:fs/promises';
import { GgufParseError } from './GgufParseError.js';
import { parseGgufHeader, type GgufHeader, type ParseGgufOptions } from './parseGgufHeader.js';

export interface ReadGgufFileOptions extends ParseGgufOptions {
  /** First prefix to read (default 1 MiB). */
  initialBytes?: number;
  /** Give up when the header would need more than this (default 512 MiB). */
  maxHeaderBytes?: number;
}

/** Reads a local GGUF file's header, reading longer prefixes until the parser has the whole header. */
export async function readGgufFile(path: string, options: ReadGgufFileOptions = {}): Promise<GgufHeader> {
  const maxHeaderBytes = options.maxHeaderBytes ?? 512 * 1024 * 1024;
  const file = await open(path, 'r');
  try {
    const fileSize = (await file.stat()).size;
    let prefix: Uint8Array = new Uint8Array(0);
    let want = Math.min(options.initialBytes ?? 1024 * 1024, fileSize);
    for (;;) {
      prefix = await extend(file, prefix, want);
      const result = parseGgufHeader(prefix, options);
      if (result.complete) return result;
      if (prefix.length >= fileSize || prefix.length < want) {
        throw new GgufParseError(`${path} ends after ${fileSize} bytes, inside its header (a truncated or partial download?)`);
      }
      if (result.needBytes > maxHeaderBytes) {
        throw new GgufParseError(`${path} has a header larger than ${maxHeaderBytes} bytes`);
      }
      want = Math.min(result.needBytes, fileSize);
    }
  } finally {
    await file.close();
  }
}

async function extend(file: FileHandle, prefix: Uint8Array, length: number): Promise<Uint8Array> {
  const next = new Uint8Array(length);
  next.set(prefix);
  let filled = prefix.length;
  while (filled < length) {
    const { bytesRead } = await file.read(next, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? next : next.subarray(0, filled);
}
