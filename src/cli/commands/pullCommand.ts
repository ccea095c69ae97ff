import type { CommandSpec } from '../commandSpec.js';
import { planOptions } from '../sharedOptions.js';

export const pullCommand: CommandSpec = {
  name: 'pull',
  describe: 'Download the weights a plan needs (or any hf: reference) into the Hugging Face cache, resumable and verified',
  positionals: [{ name: 'model', describe: 'Profile id (default: the plan for this machine), hf:ORG/REPO, hf:ORG/REPO:QUANT or hf:ORG/REPO/FILE, with @REVISION', optional: true }],
  options: {
    quant: planOptions.quant!,
    runtime: planOptions.runtime!,
    hardware: planOptions.hardware!,
    connections: { type: 'string', describe: 'Parallel connections per file (default 8)' },
    token: { type: 'string', describe: 'Hugging Face token (default: HF_TOKEN, then the token file)' },
    json: { type: 'boolean', describe: 'NDJSON progress events and a final summary' },
  },
  run: async (args) => (await import('../runPull.js')).runPull(args),
};
