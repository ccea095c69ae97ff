import { DevstralError } from '../../errors.js';
import type { CommandSpec } from '../commandSpec.js';
import { writeOut } from '../output.js';
import { planOptions, serveOptions } from '../sharedOptions.js';

export const commandCommand: CommandSpec = {
  name: 'command',
  describe: 'Print the exact launch command for the plan (vllm serve, docker, devstral serve / llama-server, ollama)',
  options: {
    ...planOptions,
    ...serveOptions,
    format: { type: 'string', describe: 'shell | docker | json', default: 'shell' },
    json: { type: 'boolean', describe: 'Same as --format json' },
  },
  run: async (args) => {
    const render = await import('../render/renderCommandOutput.js');
    const format = args.json ? 'json' : String(args.format ?? 'shell').toLowerCase();
    if (!render.isCommandFormat(format)) {
      throw new DevstralError('usage', `--format ${String(args.format)}: unknown format`, { hint: `use one of ${render.COMMAND_FORMATS.join(', ')}` });
    }
    const { plan, model, facts, serve } = await (await import('../loadPlan.js')).loadPlan(args);
    writeOut(render.renderCommandOutput(plan, model, facts, serve, format));
  },
};
