import { DevstralError } from '../../errors.js';
import type { CommandSpec } from '../commandSpec.js';
import { writeOut } from '../output.js';
import { planOptions, serveOptions } from '../sharedOptions.js';

export const commandCommand: CommandSpec = {
  name: 'command',
  describe: 'Print the exact launch command for the plan (vllm serve, docker, devstral serve / llama-server, ollama)',
  options: { ...planOptions, ...serveOptions, format: { type: 'string', describe: 'shell | docker | json', default: 'shell' } },
  run: async (args) => {
    const [{ loadPlanInputs }, { planLaunch }, { parseServeOptions }, render] = await Promise.all([
      import('../loadPlanInputs.js'),
      import('../../plan/planLaunch.js'),
      import('../parseOptions.js'),
      import('../render/renderCommandOutput.js'),
    ]);
    const format = String(args.format ?? 'shell').toLowerCase();
    if (!(render.COMMAND_FORMATS as readonly string[]).includes(format)) {
      throw new DevstralError('usage', `--format ${String(args.format)}: unknown format`, { hint: `use one of ${render.COMMAND_FORMATS.join(', ')}` });
    }
    const serve = parseServeOptions(args);
    const { model, facts, options } = await loadPlanInputs(args);
    const plan = planLaunch(facts, model, options, serve);
    writeOut(render.renderCommandOutput(plan, model, facts, serve, format as never));
  },
};
