import type { CommandSpec } from '../commandSpec.js';
import { writeOut } from '../output.js';
import { jsonOption } from '../sharedOptions.js';

export const detectCommand: CommandSpec = {
  name: 'detect',
  describe: 'Show GPUs, memory, disk and installed runtimes (--json: the hardware-facts shape --hardware reads)',
  options: jsonOption,
  run: async (args) => {
    const [{ detectHardware }, { createDetectDeps }] = await Promise.all([import('../../hardware/detectHardware.js'), import('../../hardware/createDetectDeps.js')]);
    const facts = await detectHardware(createDetectDeps());
    if (args.json) return writeOut(JSON.stringify(facts, null, 2));
    const { renderHardwareFacts } = await import('../../hardware/renderHardwareFacts.js');
    writeOut(renderHardwareFacts(facts));
  },
};
