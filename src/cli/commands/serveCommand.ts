import type { CommandSpec } from '../commandSpec.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  describe: 'Serve a GGUF on node-llama-cpp: OpenAI Chat Completions and Responses, Anthropic Messages (tool calls, streaming, parallel requests)',
  options: {
    model: { type: 'string', describe: 'A .gguf file, hf:ORG/REPO:QUANT or hf:ORG/REPO/FILE.gguf, or a profile id (default devstral-small-1.1: the plan for this machine)' },
    host: { type: 'string', describe: 'Address to listen on (default 127.0.0.1: not exposed to the network)' },
    port: { type: 'string', describe: 'Port (default 8000)' },
    ctx: { type: 'string', describe: 'Context length per parallel request (default: the plan, else the model\'s, at most 32k)' },
    parallel: { type: 'string', describe: 'Requests generated at once, batched together (default 1); more wait in a queue' },
    threads: { type: 'string', describe: 'CPU threads for llama.cpp (default: the number of CPU cores)' },
    gpu: { type: 'string', describe: 'auto | cuda | metal | vulkan | none (default auto)' },
    'gpu-layers': { type: 'string', describe: 'Layers on the GPU: a number, max or auto (default: the plan, else auto)' },
    'kv-cache-type': { type: 'string', describe: 'f16 | q8_0 (default: the plan, else f16)' },
    'max-tokens-default': { type: 'string', describe: 'Output tokens when a request names none (default: what is left of the context)' },
    'allowed-hosts': { type: 'string', describe: 'Host names clients may use besides localhost, 127.0.0.1 and [::1], comma-separated (with a loopback --host, others get 403: DNS rebinding)' },
    'cors-origin': { type: 'string', describe: 'Web page origins allowed to call the server, comma-separated, or * (default: none)' },
    'api-key': { type: 'string', describe: 'Require this key (Authorization: Bearer or x-api-key); default: DEVSTRAL_API_KEY, else none' },
    'served-model-name': { type: 'string', describe: 'The model id clients use (default: the profile id or the file name)' },
    hardware: { type: 'string', describe: 'Plan for this hardware profile or file instead of detecting (with a profile id)' },
  },
  run: async (args) => (await import('../runServe.js')).runServe(args),
};
