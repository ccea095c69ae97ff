/**
 * Editor and config-file agents: the exact settings to paste, and the user's file `--write` merges them into (after a
 * backup). Formats as each agent reads them (Continue config.yaml schema v1, Aider .aider.conf.yml and model metadata,
 * Cline CLI providers.json, Mistral Vibe config.toml); OpenHands and the Cline extension keep their settings where no
 * tool should write, so they get the snippet only. Pure.
 */
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { AgentSpec } from './agents.js';
import { mergeJson, mergeToml, mergeYaml } from './mergeConfig.js';
import { shellWords, type AgentFile, type AgentSetup, type ServerInfo, type SetupPaths } from './setupShapes.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function configAgentSetup(agent: AgentSpec, server: ServerInfo, paths: SetupPaths, key: string, output: number): AgentSetup {
  const { home } = paths;
  switch (agent.id) {
    case 'continue': {
      // One entry in the user's models list, found again by its name on the next write.
      const path = join(home, '.continue', 'config.yaml');
      const model = {
        name: `Devstral (${server.model})`,
        provider: 'openai',
        model: server.model,
        apiBase: server.baseUrl,
        apiKey: key,
        roles: ['chat', 'edit', 'apply'],
        capabilities: ['tool_use'],
        defaultCompletionOptions: { contextLength: server.contextLength, maxTokens: output },
      };
      const fresh = { name: 'Local config', version: '1.0.0', schema: 'v1', models: [model] };
      const file: AgentFile = { path, format: 'yaml', owner: 'user', content: toYaml(fresh), merge: (existing) => mergeYaml(path, existing, {}, { key: 'models', match: 'name', item: model }) };
      return { agent, files: [file], text: `${path}, under models:\n${toYaml([model]).trimEnd()}` };
    }
    case 'aider': {
      // The connection in .aider.conf.yml; the window in the model metadata file Aider reads from the home folder.
      const id = `openai/${server.model}`;
      const conf = join(home, '.aider.conf.yml');
      const metaPath = join(home, '.aider.model.metadata.json');
      const settings = { model: id, 'openai-api-base': server.baseUrl, 'openai-api-key': key };
      const meta = { max_input_tokens: server.contextLength, max_tokens: output, max_output_tokens: output, input_cost_per_token: 0, output_cost_per_token: 0, litellm_provider: 'openai', mode: 'chat' };
      const files: AgentFile[] = [
        { path: conf, format: 'yaml', owner: 'user', content: toYaml(settings), merge: (existing) => mergeYaml(conf, existing, settings) },
        { path: metaPath, format: 'json', owner: 'user', content: json({ [id]: meta }), merge: (existing) => mergeJson(metaPath, existing, [[[id], meta]]) },
      ];
      const command = shellWords(['aider', '--model', id, '--openai-api-base', server.baseUrl, '--openai-api-key', key]);
      return { agent, files, text: `${command}\n${metaPath}:\n${json({ [id]: meta }).trimEnd()}` };
    }
    case 'cline': {
      // The VS Code extension keeps its provider in VS Code's own storage: settings to enter. The cline CLI reads
      // ~/.cline/data/settings/providers.json.
      const path = join(home, '.cline', 'data', 'settings', 'providers.json');
      const provider = { settings: { provider: 'openai-compatible', apiKey: key, model: server.model, baseUrl: server.baseUrl }, tokenSource: 'manual' };
      const fresh = { version: 1, lastUsedProvider: 'openai-compatible', modes: {}, providers: { 'openai-compatible': provider } };
      const file: AgentFile = {
        path,
        format: 'json',
        owner: 'user',
        content: json(fresh),
        merge: (existing) => mergeJson(path, existing, [[['lastUsedProvider'], 'openai-compatible'], [['providers', 'openai-compatible'], provider]]),
      };
      const text = [
        'VS Code: API Provider "OpenAI Compatible"',
        `  Base URL ${server.baseUrl}`,
        `  API Key ${key}`,
        `  Model ID ${server.model}`,
        `  Context Window Size ${server.contextLength}, Max Output Tokens ${output}`,
        `cline CLI: ${shellWords(['cline', 'auth', '-p', 'openai', '-k', key, '-m', server.model, '-b', server.baseUrl])}`,
      ].join('\n');
      return { agent, files: [file], text };
    }
    case 'openhands': {
      // Its CLI reads these variables only with --override-with-envs, and keeps the rest in a serialized agent.
      const env = { LLM_MODEL: `openai/${server.model}`, LLM_BASE_URL: server.baseUrl, LLM_API_KEY: key };
      const text = [
        `${Object.entries(env).map(([k, v]) => `${k}=${shellWords([v])}`).join(' ')} openhands --override-with-envs`,
        `settings (the app, or the CLI's /settings): Custom Model openai/${server.model}, Base URL ${server.baseUrl}, API Key ${key}, max input tokens ${server.contextLength}`,
      ].join('\n');
      return { agent, files: [], text, cannotWrite: 'OpenHands keeps its settings in a serialized agent (~/.openhands/agent_settings.json) that only it should write' };
    }
    case 'vibe': {
      // Vibe has no context-window setting: it compacts at a token threshold, set below the window.
      const path = join(home, '.vibe', 'config.toml');
      const threshold = server.contextLength - output;
      const block = [
        '[[providers]]',
        'name = "devstral"',
        `api_base = ${JSON.stringify(server.baseUrl)}`,
        `api_key_env_var = ${JSON.stringify(server.apiKey ? 'DEVSTRAL_API_KEY' : '')}`,
        'api_style = "openai"',
        'backend = "generic"',
        '',
        '[[models]]',
        `name = ${JSON.stringify(server.model)}`,
        'provider = "devstral"',
        'alias = "devstral"',
        'temperature = 0.15',
        'input_price = 0.0',
        'output_price = 0.0',
        `auto_compact_threshold = ${threshold}`,
      ].join('\n');
      const top = { active_model: 'devstral' };
      const file: AgentFile = { path, format: 'toml', owner: 'user', content: mergeToml(path, '', top, block), merge: (existing) => mergeToml(path, existing, top, block) };
      const keyLine = server.apiKey ? `\n(export DEVSTRAL_API_KEY=${shellWords([server.apiKey])} before running vibe)` : '';
      return { agent, files: [file], text: `${path}:\nactive_model = "devstral"\n\n${block}${keyLine}` };
    }
    default:
      throw new Error(`no set-up for ${agent.id}`);
  }
}
