/** Reads and validates one profile file (YAML or JSON). Errors name the file, the field and the problem. */
import { readFile } from 'node:fs/promises';
import { DevstralError } from '../errors.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { ModelProfile } from './modelProfile.js';

import type { ProfileKind } from './profileSchemas.js';

export type { ProfileKind };
export type LoadedProfile = { kind: 'model'; profile: ModelProfile } | { kind: 'hardware'; profile: HardwareFacts };

/** Parse and validate text; `file` names it in errors. `kind` defaults to a guess from the content. */
export async function parseProfileText(text: string, file: string, kind?: ProfileKind): Promise<LoadedProfile> {
  const [{ parse }, schemas] = await Promise.all([import('yaml'), import('./profileSchemas.js')]);
  let data: unknown;
  try {
    data = parse(text, { prettyErrors: true });
  } catch (error) {
    throw new DevstralError('profile', `${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}`, {
      hint: 'fix the syntax at the line shown',
    });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DevstralError('profile', `${file}: expected a mapping of fields at the top level`, { hint: 'see profiles/ for examples' });
  }
  const resolved: ProfileKind = kind ?? ('architecture' in data || 'artifacts' in data ? 'model' : 'hardware');
  const schema = resolved === 'model' ? schemas.modelProfileSchema : schemas.hardwareFactsSchema;
  const result = schema.safeParse(data);
  if (!result.success) {
    const issues = schemas.describeIssues(result.error);
    throw new DevstralError('profile', `${file}: invalid ${resolved} profile: ${issues[0]}`, {
      details: issues.slice(1),
      hint: resolved === 'hardware' ? 'the shape is what `devstral detect --json` prints' : 'compare with profiles/models/devstral-small-1.1.yaml',
    });
  }
  return resolved === 'model'
    ? { kind: 'model', profile: result.data as ModelProfile }
    : { kind: 'hardware', profile: result.data as HardwareFacts };
}

export async function loadProfileFile(file: string, kind?: ProfileKind): Promise<LoadedProfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? (error as Error).message);
    throw new DevstralError('profile', `${file}: cannot read the file (${problem})`, {
      hint: code === 'ENOENT' ? 'check the path' : code === 'EISDIR' ? 'give a YAML or JSON file' : 'check the file permissions',
    });
  }
  return parseProfileText(text, file, kind);
}
