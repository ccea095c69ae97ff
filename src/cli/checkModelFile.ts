/** A local GGUF checked before it is planned for or loaded, with one message for `up`, `plan` and `serve`. */
import { DevstralError } from '../errors.js';
import { checkGgufFile } from '../gguf/checkGgufFile.js';
import type { GgufHeader } from '../gguf/parseGgufHeader.js';

export async function checkModelFile(path: string): Promise<{ header: GgufHeader; fileSize: number }> {
  try {
    return await checkGgufFile(path);
  } catch (error) {
    const message = (error as Error).message;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DevstralError('usage', `--model ${path}: no such file`, { hint: 'give the path of a .gguf file, an hf: reference or a profile id' });
    const partial = /truncated|ends after/.test(message);
    throw new DevstralError('usage', `--model ${path}: not a usable GGUF file: ${message.replace(`${path} `, '')}`, {
      hint: partial ? 'the file is incomplete: run devstral pull again (it resumes where it stopped), or download it again' : 'check that it is a GGUF model file (the llama.cpp format)',
    });
  }
}
