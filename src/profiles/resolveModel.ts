import { DevstralError } from '../errors.js';
import type { ModelProfile } from './modelProfile.js';
import { parseHfRef } from './parseHfRef.js';
import { DEFAULT_MODEL, type ProfileCatalog } from './profileCatalog.js';

export interface ResolvedModel {
  model: ModelProfile;
  /** The reference named one artifact (hf:ORG/REPO:QUANT or hf:ORG/REPO/FILE): its id. */
  quant?: string;
  /** The reference named a repo: plan only with its artifacts. */
  repo?: string;
  revision?: string;
}

const sourceRepo = (source: string) => (source.startsWith('hf:') ? parseHfRef(source).repo.toLowerCase() : undefined);

/**
 * A model reference -> its profile: a profile id or alias, or an hf: reference to a profile's artifacts
 * (hf:ORG/REPO, hf:ORG/REPO:QUANT, hf:ORG/REPO/FILE.gguf, each with an optional @REVISION). Pure.
 */
export function resolveModel(catalog: ProfileCatalog, ref: string = DEFAULT_MODEL): ResolvedModel {
  const lower = ref.trim().toLowerCase();
  const byName = catalog.models.find((m) => m.id === lower || m.aliases.some((a) => a.toLowerCase() === lower));
  if (byName) return { model: byName };
  if (!lower.startsWith('hf:')) {
    throw new DevstralError('usage', `unknown model "${ref}"`, {
      hint: `use a profile id (${catalog.models.map((m) => m.id).join(', ')}), an alias, or an hf: reference to one of their files`,
    });
  }
  const hf = parseHfRef(ref);
  const repo = hf.repo.toLowerCase();
  const revision = ref.includes('@') ? { revision: hf.revision } : {};
  for (const model of catalog.models) {
    const fromRepo = model.artifacts.filter((a) => sourceRepo(a.source) === repo);
    if (fromRepo.length === 0) continue;
    if (hf.path) {
      const file = fromRepo.find((a) => parseHfRef(a.source).path?.toLowerCase() === hf.path!.toLowerCase());
      if (file) return { model, quant: file.id, repo: hf.repo, ...revision };
      continue;
    }
    if (hf.quant) {
      const quant = fromRepo.find((a) => a.quantization.toLowerCase() === hf.quant!.toLowerCase() || a.id.toLowerCase() === hf.quant!.toLowerCase());
      if (quant) return { model, quant: quant.id, repo: hf.repo, ...revision };
      throw new DevstralError('usage', `${model.name} has no ${hf.quant} in ${hf.repo}`, { hint: `${hf.repo} has: ${fromRepo.map((a) => a.quantization).join(', ')}` });
    }
    return { model, repo: hf.repo, ...revision };
  }
  throw new DevstralError('usage', `no model profile knows ${ref}`, {
    hint: `plan for a profile (${catalog.models.map((m) => m.id).join(', ')}) or one of its artifacts; see \`devstral profiles show ${DEFAULT_MODEL}\``,
  });
}
