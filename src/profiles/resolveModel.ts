import { DevstralError } from '../errors.js';
import type { ModelProfile } from './modelProfile.js';
import { DEFAULT_MODEL, type ProfileCatalog } from './profileCatalog.js';

export interface ResolvedModel {
  model: ModelProfile;
  /** Set when the reference named one artifact (hf:ORG/REPO:QUANT or a file). */
  quant?: string;
  revision?: string;
}

/**
 * A model reference -> its profile: a profile id or alias, or an hf: reference to one of a profile's
 * artifacts (hf:ORG/REPO, hf:ORG/REPO:QUANT, hf:ORG/REPO/FILE.gguf, each with an optional @REVISION).
 */
export function resolveModel(catalog: ProfileCatalog, ref: string = DEFAULT_MODEL): ResolvedModel {
  const lower = ref.toLowerCase();
  const byName = catalog.models.find((m) => m.id === lower || m.aliases.some((a) => a.toLowerCase() === lower));
  if (byName) return { model: byName };

  if (lower.startsWith('hf:')) {
    const match = /^hf:([\w.-]+\/[\w.-]+)(\/[^@:]+)?(?::([\w.-]+))?(?:@([\w./-]+))?$/i.exec(ref);
    if (!match) {
      throw new DevstralError('usage', `"${ref}" is not a valid hf: reference`, { hint: 'use hf:ORG/REPO, hf:ORG/REPO:QUANT or hf:ORG/REPO/FILE.gguf, optionally with @REVISION' });
    }
    const [, repo = '', file, quant, revision] = match;
    const source = `hf:${repo}${file ?? ''}`.toLowerCase();
    for (const model of catalog.models) {
      const hit = model.artifacts.find((a) => {
        const s = a.source.toLowerCase();
        if (quant) return s.startsWith(`hf:${repo.toLowerCase()}/`) && a.quantization.toLowerCase() === quant.toLowerCase();
        return s === source;
      });
      if (hit) return { model, quant: hit.id, ...(revision ? { revision } : {}) };
      if (!file && !quant && model.repo.toLowerCase() === repo.toLowerCase()) return { model, ...(revision ? { revision } : {}) };
    }
    throw new DevstralError('usage', `no model profile knows ${ref}`, {
      hint: `plan for a profile (${catalog.models.map((m) => m.id).join(', ')}) or one of its artifacts; see \`devstral profiles show ${DEFAULT_MODEL}\``,
    });
  }
  throw new DevstralError('usage', `unknown model "${ref}"`, {
    hint: `use a profile id (${catalog.models.map((m) => m.id).join(', ')}), an alias, or an hf: reference to one of their files`,
  });
}
