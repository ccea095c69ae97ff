import { DevstralError } from '../../errors.js';
import type { CommandGroup, CommandSpec } from '../commandSpec.js';
import { writeOut } from '../output.js';
import { jsonOption } from '../sharedOptions.js';

async function catalog() {
  return (await import('../../profiles/profileCatalog.js')).loadCatalog();
}

const list: CommandSpec = {
  name: 'list',
  describe: 'List the model and hardware profiles',
  options: jsonOption,
  run: async (args) => {
    const { models, hardware } = await catalog();
    if (args.json) return writeOut(JSON.stringify({ models: models.map((m) => m.id), hardware: hardware.map((h) => h.id) }, null, 2));
    const { describeHardware } = await import('../render/describeHardware.js');
    const width = Math.max(...[...models.map((m) => m.id), ...hardware.map((h) => h.id ?? '')].map((id) => id.length));
    writeOut(
      [
        'Models',
        ...models.map((m) => `  ${m.id.padEnd(width)}  ${m.name}${m.aliases.length ? ` (also: ${m.aliases.join(', ')})` : ''}`),
        '',
        'Hardware',
        ...hardware.map((h) => `  ${(h.id ?? '').padEnd(width)}  ${describeHardware(h)}`),
      ].join('\n'),
    );
  },
};

const show: CommandSpec = {
  name: 'show',
  describe: 'Print one profile (YAML, or --json)',
  options: jsonOption,
  positionals: [{ name: 'id', describe: 'Profile id or model alias' }],
  run: async (args) => {
    const { models, hardware } = await catalog();
    const id = String(args.id).toLowerCase();
    const profile = models.find((m) => m.id === id || m.aliases.some((a) => a.toLowerCase() === id)) ?? hardware.find((h) => h.id === id);
    if (!profile) {
      throw new DevstralError('usage', `no profile "${args.id}"`, { hint: `see \`devstral profiles list\`` });
    }
    if (args.json) return writeOut(JSON.stringify(profile, null, 2));
    const { stringify } = await import('yaml');
    writeOut(stringify(profile, { lineWidth: 0 }));
  },
};

const validate: CommandSpec = {
  name: 'validate',
  describe: 'Check model or hardware profile files against the schema',
  options: jsonOption,
  positionals: [{ name: 'files', describe: 'YAML or JSON files', variadic: true }],
  run: async (args) => {
    const { loadProfileFile } = await import('../../profiles/loadProfileFile.js');
    const results: { file: string; ok: boolean; kind?: string; id?: string; errors?: string[] }[] = [];
    for (const file of (args.files as unknown[]).map(String)) {
      try {
        const loaded = await loadProfileFile(file);
        results.push({ file, ok: true, kind: loaded.kind, ...(loaded.profile.id ? { id: loaded.profile.id } : {}) });
      } catch (error) {
        if (!(error instanceof DevstralError)) throw error;
        results.push({ file, ok: false, errors: [error.message, ...error.details] });
      }
    }
    if (args.json) writeOut(JSON.stringify(results, null, 2));
    else writeOut(results.map((r) => (r.ok ? `ok  ${r.file} (${r.kind} profile${r.id ? ` ${r.id}` : ''})` : `bad ${r.errors!.join('\n      ')}`)).join('\n'));
    const bad = results.filter((r) => !r.ok);
    if (bad.length) {
      const unreadable = bad.filter((r) => /cannot read the file/.test(r.errors![0] ?? ''));
      throw new DevstralError('profile', `${bad.length} of ${results.length} profile file(s) ${unreadable.length === bad.length ? 'cannot be read' : 'invalid'}`, {
        hint: unreadable.length === bad.length ? 'check the path (it is relative to the current directory)' : `fix the fields named above${unreadable.length ? '; check the paths of the files that cannot be read' : ''}`,
      });
    }
  },
};

export const profilesCommand: CommandGroup = {
  name: 'profiles',
  describe: 'List, show and validate model and hardware profiles',
  subcommands: [list, show, validate],
};
