import type { CommandSpec } from '../commandSpec.js';
import { listenOptions } from '../sharedOptions.js';

export const gatewayCommand: CommandSpec = {
  name: 'gateway',
  describe: 'Serve Anthropic Messages and OpenAI Responses (and Chat Completions) in front of any OpenAI-compatible server: vLLM, Ollama, llama-server. After --, a server command to run and stop with it',
  options: {
    ...listenOptions,
    upstream: { type: 'string', describe: "The server's OpenAI base URL, e.g. http://127.0.0.1:8001/v1 (required)" },
    'upstream-model': { type: 'string', describe: 'The model id the upstream serves (default: the first of its /v1/models)' },
    'upstream-key': { type: 'string', describe: "The upstream's API key (default: DEVSTRAL_UPSTREAM_KEY, else --api-key)" },
    ctx: { type: 'string', describe: "The upstream's context length (default: its /v1/models max_model_len or context_length)" },
    'max-tokens-default': { type: 'string', describe: 'Output tokens when a request names none (default: the upstream decides)' },
    'served-model-name': { type: 'string', describe: 'The model id clients use (default: the upstream model id)' },
  },
  run: async (args) => (await import('../runGateway.js')).runGateway(args),
};
