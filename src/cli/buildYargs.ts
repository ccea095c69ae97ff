/** The full CLI in yargs, built from the same command specs: help, strict options, suggestions. */
import type { Argv, CommandModule } from 'yargs';
import { DevstralError } from '../errors.js';
import { GLOBAL_OPTIONS, rejectRepeatedOptions, type CommandGroup, type CommandSpec } from './commandSpec.js';

function toModule(spec: CommandSpec, passthrough: string[] | undefined): CommandModule {
  const usage = [spec.name, ...(spec.positionals ?? []).map((p) => (p.optional ? `[${p.name}${p.variadic ? '..' : ''}]` : `<${p.name}${p.variadic ? '..' : ''}>`))].join(' ');
  return {
    command: usage,
    describe: spec.describe,
    builder: (y: Argv) => {
      for (const p of spec.positionals ?? []) y.positional(p.name, { type: 'string', describe: p.describe, ...(p.variadic ? { array: true } : {}) });
      return y.options(spec.options);
    },
    handler: (args) => {
      rejectRepeatedOptions(spec, args);
      return spec.run(passthrough ? { ...args, passthrough } : args);
    },
  };
}

/** `passthrough`: the arguments after `--`, for commands that run another program. */
export function buildYargs(yargs: Argv, commands: (CommandSpec | CommandGroup)[], version: string, passthrough?: string[]): Argv {
  for (const c of commands) {
    if ('subcommands' in c) {
      yargs.command(c.name, c.describe, (y) => {
        for (const sub of c.subcommands) y.command(toModule(sub, passthrough));
        return y.demandCommand(1, `choose one of: ${c.subcommands.map((s) => s.name).join(', ')}`);
      });
    } else {
      yargs.command(toModule(c, passthrough));
    }
  }
  return yargs
    .scriptName('devstral')
    .usage('$0 <command> [options]\n\nRun Devstral Small 1.1 locally: `devstral up` detects the hardware, plans the runtime, downloads, serves and health-checks it.')
    .options(GLOBAL_OPTIONS)
    .demandCommand(1, 'Choose a command.')
    .strict()
    .recommendCommands()
    .version(version)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, error) => {
      throw error ?? new DevstralError('usage', message, { hint: 'see `devstral --help`' });
    });
}
