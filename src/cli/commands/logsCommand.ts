import type { CommandSpec } from '../commandSpec.js';

export const logsCommand: CommandSpec = {
  name: 'logs',
  describe: "Print a server's log (default: the only server running); -f follows it until Ctrl-C",
  positionals: [{ name: 'name', describe: 'Server name (default: the only one running)', optional: true }],
  options: {
    follow: { type: 'boolean', alias: 'f', describe: 'Keep printing lines as they are written, until Ctrl-C' },
    lines: { type: 'string', describe: 'Only the last N lines (default: the whole log)' },
  },
  run: async (args) => (await import('../runLogs.js')).runLogs(args),
};
