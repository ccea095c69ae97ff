import { DevstralError } from '../../errors.js';
import type { CommandSpec } from '../commandSpec.js';
import { writeOut } from '../output.js';

export const downCommand: CommandSpec = {
  name: 'down',
  describe: 'Stop a server devstral started (its whole process group: SIGTERM, then SIGKILL after --timeout); harmless when none runs',
  positionals: [{ name: 'name', describe: 'Server name (default: the only one running)', optional: true }],
  options: {
    all: { type: 'boolean', describe: 'Stop every server devstral started' },
    timeout: { type: 'string', describe: 'Seconds to wait after SIGTERM before SIGKILL (default 10)' },
  },
  run: async (args) => {
    const timeoutMs = parseTimeout(args.timeout);
    const name = args.name === undefined ? undefined : String(args.name);
    if (name !== undefined && args.all) throw new DevstralError('usage', 'give a server name or --all, not both');
    const [{ readRegistry, removeRecord }, { stopProcessGroup }] = await Promise.all([import('../../supervise/registry.js'), import('../../supervise/stopProcessGroup.js')]);
    const running = await readRegistry();
    const names = running.map((r) => r.name).join(', ');
    let targets = running;
    if (name !== undefined) {
      targets = running.filter((r) => r.name === name);
      if (targets.length === 0) return writeOut(`Nothing to stop: no server named ${name} is running${running.length ? ` (running: ${names})` : ''}.`);
    } else if (running.length === 0) {
      return writeOut('Nothing to stop: no server is running.');
    } else if (running.length > 1 && !args.all) {
      throw new DevstralError('usage', `${running.length} servers are running: ${names}`, { hint: 'name one (`devstral down NAME`) or stop them all with --all' });
    }
    const survivors: string[] = [];
    for (const record of targets) {
      if (record.reused) {
        await removeRecord(record.name);
        writeOut(`Forgot ${record.name}: an Ollama server devstral did not start, left running at ${record.baseUrl}.`);
        continue;
      }
      const outcome = await stopProcessGroup(record.pgid || record.pid, { timeoutMs });
      if (outcome === 'survived') {
        // Still holding its port and GPU memory: the record stays, so `status` keeps showing it.
        survivors.push(`${record.name} (pid ${record.pid}, port ${record.port})`);
        continue;
      }
      await removeRecord(record.name);
      writeOut(
        outcome === 'stopped'
          ? `Stopped ${record.name} (pid ${record.pid}, ${record.baseUrl}).`
          : outcome === 'killed'
            ? `Killed ${record.name} (pid ${record.pid}): it was still running ${timeoutMs / 1000} s after SIGTERM.`
            : `${record.name} (pid ${record.pid}) had already exited; its record is removed.`,
      );
    }
    if (survivors.length) {
      throw new DevstralError('server', `still running after SIGKILL: ${survivors.join(', ')}`, {
        hint: 'a process stuck in the kernel or a GPU driver keeps its port and GPU memory until it ends; see `ps -o pid,stat,wchan -p PID` (state D), and wait, or reboot if it never ends. Its record is kept: `devstral status` shows it',
      });
    }
  },
};

function parseTimeout(value: unknown): number {
  if (value === undefined) return 10_000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new DevstralError('usage', `--timeout must be a number of seconds, not "${String(value)}"`);
  return Math.round(seconds * 1000);
}
