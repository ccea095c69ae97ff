import { posix, win32 } from 'node:path';

/**
 * Where Hugging Face weights go, as huggingface_hub decides it: HF_HUB_CACHE, else HF_HOME/hub,
 * else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
 * A leading "~" is expanded like Python's expanduser; relative paths stay relative (to the working directory, as in Python).
 */
export function resolveHfCacheDir(env: Readonly<Record<string, string | undefined>>, homeDir: string, platform: NodeJS.Platform): string {
  const path = platform === 'win32' ? win32 : posix;
  const expand = (p: string) => (p === '~' || p.startsWith('~/') || p.startsWith('~\\') ? path.join(homeDir, p.slice(1)) : p);
  const set = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : expand(v);
  };
  const hubCache = set('HF_HUB_CACHE');
  if (hubCache !== undefined) return path.normalize(hubCache);
  const hfHome = set('HF_HOME') ?? path.join(set('XDG_CACHE_HOME') ?? path.join(homeDir, '.cache'), 'huggingface');
  return path.join(hfHome, 'hub');
}
