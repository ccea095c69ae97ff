/**
 * The built-in profiles. From dist/, a catalog the build validated (zod and YAML stay off the fast path);
 * from src/ (tests, tsx), the YAML files validated on the spot.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevstralError } from '../errors.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { ModelProfile } from './modelProfile.js';

export interface ProfileCatalog {
  models: ModelProfile[];
  hardware: HardwareFacts[];
}

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_ROOT = join(here, '..', '..');
export const PROFILES_DIR = join(PACKAGE_ROOT, 'profiles');
export const CATALOG_FILE = join(PACKAGE_ROOT, 'dist', 'profile-catalog.json');
export const DEFAULT_MODEL = 'devstral-small-1.1';

/** Validates every YAML file under profiles/; ids must match file names and be unique. */
export async function readProfilesDir(dir = PROFILES_DIR): Promise<ProfileCatalog> {
  const { loadProfileFile } = await import('./loadProfileFile.js');
  const catalog: ProfileCatalog = { models: [], hardware: [] };
  for (const kind of ['model', 'hardware'] as const) {
    const sub = join(dir, kind === 'model' ? 'models' : 'hardware');
    const files = readdirSync(sub).filter((f) => /\.ya?ml$/.test(f)).sort();
    for (const file of files) {
      const path = join(sub, file);
      const loaded = await loadProfileFile(path, kind);
      const id = loaded.profile.id;
      const stem = basename(file).replace(/\.ya?ml$/, '');
      if (id !== stem) throw new DevstralError('profile', `${path}: id "${id}" must match the file name "${stem}"`);
      if (loaded.kind === 'model') catalog.models.push(loaded.profile);
      else catalog.hardware.push(loaded.profile);
    }
  }
  return catalog;
}

let cached: ProfileCatalog | undefined;

export async function loadCatalog(): Promise<ProfileCatalog> {
  if (cached) return cached;
  const fromDist = here.split(/[\\/]/).includes('dist') && existsSync(CATALOG_FILE);
  cached = fromDist ? (JSON.parse(readFileSync(CATALOG_FILE, 'utf8')) as ProfileCatalog) : await readProfilesDir();
  return cached;
}
