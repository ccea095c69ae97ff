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
  if (!spec) return undefined;
  const options = { ...GLOBAL_OPTIONS, ...spec.options };
  const names = Object.keys(options);
  const parsed = parser.detailed(argv.slice(1), {
    string: names.filter((n) => options[n]!.type === 'string'),
    boolean: names.filter((n) => options[n]!.type === 'boolean'),
    alias: Object.fromEntries(names.flatMap((n) => (options[n]!.alias ? [[n, options[n]!.alias!]] : []))),
    configuration: { 'unknown-options-as-args': true, 'strip-aliased': true },
  });
  if (parsed.error || argv.includes('--help') || argv.includes('-h')) return undefined;
  // Unknown options land among the positionals: yargs reports them.
  const loose = parsed.argv._.map(String);
  if (loose.some((v) => v.startsWith('-'))) return undefined;
  const positionals = takePositionals(spec, loose);
  if (!positionals) return undefined;
  rejectRepeatedOptions(spec, parsed.argv);
  const args: CommandArgs = {};
  for (const name of names) {
    const value = parsed.argv[name];
    const resolved = value ?? options[name]!.default;
    if (resolved !== undefined) args[camel(name)] = resolved;
  }
  return { spec, args: { ...args, ...positionals } };
}

/** Positional values by name; undefined when they do not match the spec (yargs then explains). */
function takePositionals(spec: CommandSpec, values: string[]): CommandArgs | undefined {
  const args: CommandArgs = {};
  const rest = [...values];
  for (const p of spec.positionals ?? []) {
    if (rest.length === 0) {
      if (!p.optional) return undefined;
      continue;
    }
    args[p.name] = p.variadic ? rest.splice(0) : rest.shift();
  }
  return rest.length === 0 ? args : undefined;
}
