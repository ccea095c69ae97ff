import type { CommandSpec } from '../commandSpec.js';
import { listenOptions } from '../sharedOptions.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  describe: 'Serve a GGUF on node-llama-cpp: OpenAI Chat Completions and Responses, Anthropic Messages (tool calls, streaming, parallel requests)',
  options: {
    ...listenOptions,
    model: { type: 'string', describe: 'A .gguf file, hf:ORG/REPO:QUANT or hf:ORG/REPO/FILE.gguf, or a profile id (default devstral-small-1.1: the plan for this machine)' },
    ctx: { type: 'string', describe: 'Context length per parallel request (default: the plan, else the model\'s, at most 32k)' },
    parallel: { type: 'string', describe: 'Requests generated at once, batched together (default 1); more wait in a queue' },
    threads: { type: 'string', describe: 'CPU threads for llama.cpp (default: the number of CPU cores)' },
    gpu: { type: 'string', describe: 'auto | cuda | metal | vulkan | none (default auto)' },
    'gpu-layers': { type: 'string', describe: 'Layers on the GPU: a number, max or auto (default: the plan, else auto)' },
    'kv-cache-type': { type: 'string', describe: 'f16 | q8_0 (default: the plan, else f16)' },
    'max-tokens-default': { type: 'string', describe: 'Output tokens when a request names none (default: what is left of the context)' },
    'served-model-name': { type: 'string', describe: 'The model id clients use (default: the profile id or the file name)' },
    hardware: { type: 'string', describe: 'Plan for this hardware profile or file instead of detecting (with a profile id)' },
  },
  run: async (args) => (await import('../runServe.js')).runServe(args),
};
