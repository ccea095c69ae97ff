import type { CommandSpec } from '../commandSpec.js';

export const benchCommand: CommandSpec = {
  name: 'bench',
  describe: 'Measure time to first token, inter-token latency, tokens/s and errors of any OpenAI-compatible endpoint',
  positionals: [{ name: 'url', describe: 'The server root or its /v1 (default: the server started with devstral up)', optional: true }],
  options: {
    concurrency: { type: 'string', describe: 'Concurrency levels, e.g. 1,4,16 (default 1,4)' },
    requests: { type: 'string', describe: 'Requests per level (default: twice the concurrency, at least 4)' },
    'prompt-tokens': { type: 'string', describe: 'About how many prompt tokens (default 256)' },
    'max-tokens': { type: 'string', describe: 'Output tokens per request (default 128)' },
    workload: { type: 'string', describe: 'random | agent (a long system prompt, tool schemas, a growing history)', default: 'random' },
    model: { type: 'string', describe: 'The model (default: the only one the server lists)' },
    'api-key': { type: 'string', describe: 'API key (default: OPENAI_API_KEY)' },
    history: { type: 'boolean', describe: 'Print earlier runs and exit' },
    json: { type: 'boolean', describe: 'Print the run as JSON' },
  },
  run: async (args) => (await import('../runBenchCommand.js')).runBenchCommand(args),
};
