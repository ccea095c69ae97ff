import type { CommandSpec } from '../commandSpec.js';
import { writeOut } from '../output.js';
import { jsonOption, planOptions, serveOptions } from '../sharedOptions.js';

export const planCommand: CommandSpec = {
  name: 'plan',
  describe: 'Choose runtime, weights, context and parallelism for this machine (or --hardware) and explain why',
  options: { ...planOptions, ...serveOptions, ...jsonOption },
  run: async (args) => {
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
