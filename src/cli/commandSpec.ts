/** Commands are data: one spec drives both the fast parser and the full yargs CLI (help, errors). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  describe: string;
  default?: string | boolean;
}

export interface PositionalSpec {
  name: string;
  describe: string;
  /** Takes the rest of the arguments (`<files..>`). */
  variadic?: boolean;
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

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  debug: { type: 'boolean', describe: 'Show stack traces' },
};
