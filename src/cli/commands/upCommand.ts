import type { CommandSpec } from '../commandSpec.js';
import { planOptions, serveOptions } from '../sharedOptions.js';

export const upCommand: CommandSpec = {
  name: 'up',
  describe: 'Detect, plan, download, start and health-check Devstral, then print how to connect your agent',
  options: {
    ...planOptions,
    ...serveOptions,
    port: { type: 'string', describe: 'Port, or auto for a free one (default 8000; Ollama 11434)' },
    name: { type: 'string', describe: 'Name of this server for status/logs/down (default devstral)' },
    'ready-timeout': { type: 'string', describe: 'Seconds to wait for the server (default 300; vLLM 900, extended while it loads)' },
    yes: { type: 'boolean', describe: 'Do not ask before starting' },
    'dry-run': { type: 'boolean', describe: 'Print the plan and the commands, start nothing' },
    detach: { type: 'boolean', describe: 'Return once ready and leave the server running (stop it with devstral down)' },
    smoke: { type: 'boolean', describe: 'Smoke-test the server before saying ready (default; --no-smoke skips it)', default: true },
    'auto-retry': { type: 'boolean', describe: 'When vLLM says a smaller context fits, retry once with it' },
    json: { type: 'boolean', describe: 'Print the summary as JSON' },
  },
  run: async (args) => (await import('../runUp.js')).runUp(args),
};
