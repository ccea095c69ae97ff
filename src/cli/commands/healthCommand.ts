import type { CommandSpec } from '../commandSpec.js';

export const healthCommand: CommandSpec = {
  name: 'health',
  describe: 'Check an OpenAI-compatible endpoint (or the servers of `devstral up`): models, chat, streaming, tool calls, JSON mode, context',
  positionals: [{ name: 'url', describe: 'The server root or its /v1, e.g. http://127.0.0.1:8000 (default: the servers started with devstral up)', optional: true }],
  options: {
    'api-key': { type: 'string', describe: 'API key (default: OPENAI_API_KEY)' },
    model: { type: 'string', describe: 'The model to test (default: the only one the server lists)' },
    wait: { type: 'string', describe: 'Wait up to SECONDS for a server that is starting, then check' },
    watch: { type: 'string', describe: 'Check again every SECONDS and print what changed, until Ctrl-C' },
    'min-ctx': { type: 'string', describe: 'The context an agent needs; less is a warning (default 32768)' },
    json: { type: 'boolean', describe: 'Print the report(s) as JSON' },
  },
  run: async (args) => (await import('../runHealth.js')).runHealth(args),
};
