/** The hub client and cache settings from the environment, with the token of `huggingface-cli login` as fallback. */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { HubClient } from './hubClient.js';
import { resolveHubConfig, type HubConfig } from './hubConfig.js';

export async function createHubClient(token?: string): Promise<{ client: HubClient; config: HubConfig }> {
  const config = resolveHubConfig(process.env, homedir(), token);
  const resolved = config.token ?? ((await readFile(config.tokenPath, 'utf8').catch(() => '')).trim() || undefined);
  return { client: new HubClient({ endpoint: config.endpoint, ...(resolved ? { token: resolved } : {}) }), config };
}
