import type { CommandSpec } from '../commandSpec.js';
import { writeOut } from '../output.js';
import { jsonOption, planOptions, serveOptions } from '../sharedOptions.js';

export const planCommand: CommandSpec = {
  name: 'plan',
  describe: 'Choose runtime, weights, context and parallelism for this machine (or --hardware) and explain why',
  options: { ...planOptions, ...serveOptions, ...jsonOption },
  run: async (args) => {
    const { plan, model, facts, serve } = await (await import('../loadPlan.js')).loadPlan(args);
    if (args.json) return writeOut(JSON.stringify(plan, null, 2));
    const [{ renderPlan }, { buildLlamaServerCommand }, { resolveServeOptions }, { renderShellCommand }] = await Promise.all([
      import('../render/renderPlan.js'),
      import('../../runtimes/buildLlamaServerCommand.js'),
      import('../../runtimes/buildLaunchCommand.js'),
      import('../../runtimes/shellQuote.js'),
    ]);
    const llamaServer = plan.runtime === 'llamacpp' ? buildLlamaServerCommand(plan, model, facts, resolveServeOptions(plan, facts, serve)) : undefined;
    writeOut(renderPlan(plan, model, facts, llamaServer && renderShellCommand(llamaServer.argv, llamaServer.env)));
  },
};
