import { AGENTS } from '../../agents/agents.js';
import type { CommandSpec } from '../commandSpec.js';

export const launchCommand: CommandSpec = {
  name: 'launch',
  describe: `Hand the running server to a coding agent (${AGENTS.map((a) => a.id).join(', ')}): terminal agents run with the right settings, others get them printed; arguments after -- go to the agent`,
  positionals: [{ name: 'agent', describe: AGENTS.map((a) => a.id).join(' | ') }],
  options: {
    name: { type: 'string', describe: 'The server (devstral status), default: the only one running' },
    print: { type: 'boolean', describe: 'Print the settings instead of running the agent' },
    write: { type: 'boolean', describe: "Write the settings into the agent's own config file (a backup of it first)" },
    yes: { type: 'boolean', describe: 'With no server running, start one (devstral up --for AGENT --detach) without asking' },
    model: { type: 'string', describe: 'When launch starts the server: the model (as devstral up --model)' },
    force: { type: 'boolean', describe: 'Launch even when the check finds the server short of what the agent needs' },
  },
  run: async (args) => (await import('../runLaunch.js')).runLaunch(args),
};
