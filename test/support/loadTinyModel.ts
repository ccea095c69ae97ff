/** The suite's tiny generated GGUF, loaded with node-llama-cpp on the CPU with one thread (for in-process tests). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from 'node-llama-cpp';
import { writeTinyGguf } from './writeTinyGguf.ts';

export interface TinyModel {
  llama: Llama;
  model: LlamaModel;
  dispose(): Promise<void>;
}

export async function loadTinyModel(): Promise<TinyModel> {
  const path = join(mkdtempSync(join(tmpdir(), 'devstral-tiny-')), 'tiny.gguf');
  await writeTinyGguf(path);
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path });
  return {
    llama,
    model,
    dispose: async () => {
      await model.dispose();
      await llama.dispose();
    },
  };
}
