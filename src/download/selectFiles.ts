/** Which files of a repo snapshot a pull needs. Pure. */
import { DevstralError } from '../errors.js';

export interface TreeFile {
  path: string;
  size: number;
  /** git blob sha1 */
  oid: string;
  lfs?: { oid: string; size: number };
}

export interface RemoteFile {
  path: string;
  size: number;
  /** Name of the blob in the cache: the LFS sha256, else the git blob sha1. */
  etag: string;
  lfs: boolean;
  /** The CDN URL the hub redirected to, when already known. */
  downloadUrl?: string;
}

export type Selection =
  /** `weightsOnce`: drop consolidated*.safetensors when the HF shards are there too. */
  | { kind: 'all'; weightsOnce?: boolean }
  /** `required` must exist; `optional` are taken when present (e.g. SYSTEM_PROMPT.txt). */
  | { kind: 'paths'; required: string[]; optional?: string[] }
  | { kind: 'quant'; quant: string };

const toRemote = (f: TreeFile): RemoteFile => ({ path: f.path, size: f.lfs?.size ?? f.size, etag: f.lfs?.oid ?? f.oid, lfs: f.lfs !== undefined });
const SPLIT = /-(\d{5})-of-(\d{5})\.gguf$/i;

export function selectFiles(files: TreeFile[], selection: Selection, label: string): RemoteFile[] {
  switch (selection.kind) {
    case 'all':
      return (selection.weightsOnce ? withoutDuplicateWeights(files) : files).map(toRemote);
    case 'paths': {
      const byPath = new Map(files.map((f) => [f.path, f]));
      const missing = selection.required.filter((p) => !byPath.has(p));
      if (missing.length) {
        throw new DevstralError('download', `${label} has no ${missing.join(', ')}`, { hint: 'check the file name and the revision (see the repo on the hub)' });
      }
      return [...selection.required, ...(selection.optional ?? []).filter((p) => byPath.has(p))].map((p) => toRemote(byPath.get(p)!));
    }
    case 'quant':
      return selectQuant(files, selection.quant, label).map(toRemote);
  }
}

/** The GGUF file of a quantization, or all parts of a split one; plain names beat variants (UD-Q4_K_M). */
function selectQuant(files: TreeFile[], quant: string, label: string): TreeFile[] {
  const escaped = quant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(^|[-_./])${escaped}([-_./]|$)`, 'i');
  const ggufs = files.filter((f) => f.path.toLowerCase().endsWith('.gguf') && !/(^|\/)mmproj/i.test(f.path));
  const matches = ggufs.filter((f) => pattern.test(f.path));
  if (matches.length === 0) {
    const available = [...new Set(ggufs.map((f) => /([A-Z]+\d?_[A-Z0-9_]+|BF16|F16|F32)(?=(-\d{5}-of-\d{5})?\.gguf$)/i.exec(f.path)?.[1]).filter(Boolean))];
    throw new DevstralError('download', `${label} has no GGUF file for quantization ${quant}`, {
      hint: available.length ? `available: ${available.join(', ')}` : 'this repo has no GGUF files',
    });
  }
  // Group split parts under their common name; then prefer the shortest name (the plain quantization).
  const groups = new Map<string, TreeFile[]>();
  for (const f of matches) {
    const key = f.path.replace(SPLIT, '.gguf');
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const [, chosen] = [...groups].sort(([a], [b]) => a.length - b.length || a.localeCompare(b))[0]!;
  const parts = chosen.sort((a, b) => a.path.localeCompare(b.path));
  const total = SPLIT.exec(parts[0]!.path)?.[2];
  if (total !== undefined && parts.length !== Number(total)) {
    throw new DevstralError('download', `${label}: the ${quant} GGUF is split in ${Number(total)} parts but ${parts.length} are in the repo`);
  }
  return parts;
}

/** Mistral-format vLLM checkpoints: the weights once, not also as HF shards. */
export function withoutDuplicateWeights(files: TreeFile[]): TreeFile[] {
  const hasShards = files.some((f) => /(^|\/)model(-\d+-of-\d+)?\.safetensors$/.test(f.path));
  return hasShards ? files.filter((f) => !/(^|\/)consolidated[^/]*\.safetensors$/.test(f.path)) : files;
}
