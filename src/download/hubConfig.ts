/** Where the hub is and where files go, from the environment like huggingface_hub reads it. Pure. */
import { join } from 'node:path';

export interface HubConfig {
  endpoint: string;
  /** Token from --token, HF_TOKEN (or the legacy HUGGING_FACE_HUB_TOKEN); the token file is read separately. */
  token?: string;
  /** $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub (XDG_CACHE_HOME respected). */
  cacheDir: string;
  /** $HF_TOKEN_PATH, else $HF_HOME/token. */
  tokenPath: string;
  offline: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());

export function resolveHubConfig(env: Readonly<Record<string, string | undefined>>, homeDir: string, token?: string): HubConfig {
  const hfHome = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homeDir, '.cache'), 'huggingface');
  const resolvedToken = token ?? env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  return {
    endpoint: (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
    ...(resolvedToken ? { token: resolvedToken.trim() } : {}),
    cacheDir: env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? join(hfHome, 'hub'),
    tokenPath: env.HF_TOKEN_PATH ?? join(hfHome, 'token'),
    offline: truthy(env.HF_HUB_OFFLINE) || truthy(env.TRANSFORMERS_OFFLINE),
  };
}
