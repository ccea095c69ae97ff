/**
 * The common case without yargs: a known command with known options, parsed by yargs' own parser
 * (yargs costs ~100 ms to load; this ~10 ms). Anything unusual (help, unknown or malformed options)
 * returns undefined and goes to the full yargs CLI, which reports it.
 */
import parser from 'yargs-parser';
import { GLOBAL_OPTIONS, rejectRepeatedOptions, type CommandArgs, type CommandSpec } from './commandSpec.js';

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function parseFast(argv: string[], commands: CommandSpec[]): { spec: CommandSpec; args: CommandArgs } | undefined {
  const spec = commands.find((c) => c.name === argv[0]);
  if (!spec || (spec.positionals?.length ?? 0) > 0) return undefined;
  const options = { ...GLOBAL_OPTIONS, ...spec.options };
  const names = Object.keys(options);
  const parsed = parser.detailed(argv.slice(1), {
    string: names.filter((n) => options[n]!.type === 'string'),
    boolean: names.filter((n) => options[n]!.type === 'boolean'),
    configuration: { 'unknown-options-as-args': true, 'strip-aliased': true },
  });
  if (parsed.error || parsed.argv._.length > 0 || argv.includes('--help') || argv.includes('-h')) return undefined;
  rejectRepeatedOptions(spec, parsed.argv);
  const args: CommandArgs = {};
  for (const name of names) {
    const value = parsed.argv[name];
    const resolved = value ?? options[name]!.default;
    if (resolved !== undefined) args[camel(name)] = resolved;
  }
  return { spec, args };
}
