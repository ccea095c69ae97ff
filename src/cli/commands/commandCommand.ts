import type { CommandModule } from 'yargs';
import { DevstralError } from '../../errors.js';
import type { RawPlanInputArgs } from '../loadPlanInputs.js';
import { writeOut } from '../output.js';
import type { RawServeArgs } from '../parseOptions.js';
import { planOptions, serveOptions } from '../sharedOptions.js';

type Args = RawPlanInputArgs & RawServeArgs & { format?: string };

export const commandCommand: CommandModule<object, Args> = {
  command: 'command',
  describe: 'Print the exact launch command for the plan (vllm serve, docker, devstral serve / llama-server, ollama)',
  builder: (y) =>
    y.options({
      ...planOptions,
      ...serveOptions,
      format: { type: 'string', describe: 'shell | docker | json', default: 'shell' },
    }) as never,
  handler: async (args) => {
    const [{ loadPlanInputs }, { planLaunch }, { parseServeOptions }, render] = await Promise.all([
      import('../loadPlanInputs.js'),
      import('../../plan/planLaunch.js'),
      import('../parseOptions.js'),
      import('../render/renderCommandOutput.js'),
    ]);
    const format = String(args.format ?? 'shell').toLowerCase();
    if (!(render.COMMAND_FORMATS as readonly string[]).includes(format)) {
      throw new DevstralError('usage', `--format ${args.format}: unknown format`, { hint: `use one of ${render.COMMAND_FORMATS.join(', ')}` });
    }
    const serve = parseServeOptions(args);
    const { model, facts, options } = await loadPlanInputs(args);
    const plan = planLaunch(facts, model, options, serve);
    writeOut(render.renderCommandOutput(plan, model, facts, serve, format as never));
  },
};
