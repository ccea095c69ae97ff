/** A local GGUF checked before llama.cpp opens it: a readable header, and all the tensor data it announces on disk. */
import { stat } from 'node:fs/promises';
import { ggufDataEnd } from './ggufDataEnd.js';
import { GgufParseError } from './GgufParseError.js';
import type { GgufHeader } from './parseGgufHeader.js';
import { readGgufFile } from './readGgufFile.js';

export async function checkGgufFile(path: string): Promise<{ header: GgufHeader; fileSize: number }> {
  const fileSize = (await stat(path)).size;
  const header = await readGgufFile(path);
  const end = ggufDataEnd(header);
  if (fileSize < end) throw new GgufParseError(`${path} is truncated at ${fileSize} of ${end} bytes (a partial download?)`);
  return { header, fileSize };
}
