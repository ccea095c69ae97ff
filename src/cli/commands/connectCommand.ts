import type { CommandSpec } from '../commandSpec.js';
import { jsonOption } from '../sharedOptions.js';

export const connectCommand: CommandSpec = {
  name: 'connect',
  describe: 'How to connect every coding agent to the running server: environment, command lines and config snippets',
  options: {
    name: { type: 'string', describe: 'The server (devstral status), default: the only one running' },
    ...jsonOption,
  },
  run: async (args) => (await import('../runLaunch.js')).runConnect(args),
};
