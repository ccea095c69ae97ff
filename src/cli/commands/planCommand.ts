import type { CommandModule } from 'yargs';
import { jsonOption, planOptions, serveOptions } from '../sharedOptions.js';
import type { RawPlanInputArgs } from '../loadPlanInputs.js';
import type { RawServeArgs } from '../parseOptions.js';
import { writeOut } from '../output.js';

type Args = RawPlanInputArgs & RawServeArgs & { json?: boolean };

export const planCommand: CommandModule<object, Args> = {
  command: 'plan',
  describe: 'Choose runtime, weights, context and parallelism for this machine (or --hardware) and explain why',
  builder: (y) => y.options({ ...planOptions, ...serveOptions, ...jsonOption }) as never,
  handler: async (args) => {
    const [{ loadPlanInputs }, { planLaunch }, { parseServeOptions }] = await Promise.all([
      import('../loadPlanInputs.js'),
      import('../../plan/planLaunch.js'),
      import('../parseOptions.js'),
    ]);
    const serve = parseServeOptions(args);
    const { model, facts, options } = await loadPlanInputs(args);
    const plan = planLaunch(facts, model, options, serve);
    if (args.json) return writeOut(JSON.stringify(plan, null, 2));
    const { renderPlan } = await import('../render/renderPlan.js');
    writeOut(renderPlan(plan, model, facts));
  },
};
