/** Commands are data: one spec drives both the fast parser and the full yargs CLI (help, errors). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  describe: string;
  default?: string | boolean;
  /** A one-letter short form (`-f`). */
  alias?: string;
}

export interface PositionalSpec {
  name: string;
  describe: string;
  /** Takes the rest of the arguments (`<files..>`). */
  variadic?: boolean;
  optional?: boolean;
}

/** Parsed arguments: options by their camelCase name, positionals by name. */
export type CommandArgs = Record<string, unknown>;

export interface CommandSpec {
  name: string;
  describe: string;
  options: Record<string, OptionSpec>;
  positionals?: PositionalSpec[];
  run(args: CommandArgs): Promise<void>;
}

export interface CommandGroup {
  name: string;
  describe: string;
  subcommands: CommandSpec[];
}

import { DevstralError } from '../errors.js';

/** A flag given twice (`--port 1 --port 2`) is a mistake to report, not a list to join. */
export function rejectRepeatedOptions(spec: CommandSpec, args: CommandArgs): void {
  for (const name of Object.keys(spec.options)) {
    const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (Array.isArray(args[name]) || Array.isArray(args[camel])) {
      throw new DevstralError('usage', `--${name} is given more than once`, { hint: `give --${name} once` });
    }
  }
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  debug: { type: 'boolean', describe: 'Show stack traces' },
};
