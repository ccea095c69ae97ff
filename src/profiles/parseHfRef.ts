/** `hf:ORG/REPO[/PATH/IN/REPO][:QUANT][@REVISION]` -> its parts. Pure. */
import { DevstralError } from '../errors.js';

export interface HfRef {
  repo: string;
  /** One file (or folder) in the repo. */
  path?: string;
  /** A GGUF quantization: its file or split files. */
  quant?: string;
  revision: string;
}

const REF = /^hf:([\w.-]+\/[\w.-]+)((?:\/[^@:/\s]+)+)?(?::([\w.-]+))?(?:@([\w./-]+))?$/i;

export function parseHfRef(ref: string): HfRef {
  const match = REF.exec(ref.trim());
  if (!match || match[1]!.split('/').some((part) => part === '.' || part === '..') || match[2]?.split('/').some((p) => p === '..')) {
    throw new DevstralError('usage', `"${ref}" is not a valid hf: reference`, {
      hint: 'use hf:ORG/REPO, hf:ORG/REPO:QUANT or hf:ORG/REPO/FILE, each optionally with @REVISION',
    });
  }
  const [, repo = '', path, quant, revision] = match;
  if (path && quant) throw new DevstralError('usage', `"${ref}" names both a file and a quantization`, { hint: 'use hf:ORG/REPO/FILE or hf:ORG/REPO:QUANT' });
  return { repo, ...(path ? { path: path.slice(1) } : {}), ...(quant ? { quant } : {}), revision: revision ?? 'main' };
}
