import type { CommandSpec } from '../commandSpec.js';
import { writeOut } from '../output.js';
import { jsonOption } from '../sharedOptions.js';

export const statusCommand: CommandSpec = {
  name: 'status',
  describe: 'List the servers devstral started and probe each: starting, ready, unhealthy or dead (dead ones are forgotten)',
  options: { ...jsonOption },
  run: async (args) => {
    const [{ sweepRegistry, removeRecord }, { probeServer }, { renderServerStatus, toStatusJson }] = await Promise.all([
      import('../../supervise/registry.js'),
      import('../../supervise/probeServer.js'),
      import('../render/renderServerStatus.js'),
    ]);
    const { live, dead } = await sweepRegistry();
    const statuses = await Promise.all([
      ...live.map(async (record) => {
        // A reused server without a pid: only its answers tell whether it is alive.
        const probe = await probeServer(record, record.reused && !(record.pid > 0) ? undefined : true);
        if (probe.state === 'dead') await removeRecord(record.name);
        return { record, probe };
      }),
      ...dead.map(async (record) => ({ record, probe: await probeServer(record, false) })),
    ]);
    statuses.sort((a, b) => a.record.name.localeCompare(b.record.name));
    const now = new Date();
    writeOut(args.json ? JSON.stringify(toStatusJson(statuses, now), null, 2) : renderServerStatus(statuses, now));
  },
};
