/**
 * What wires one agent to a running server: for terminal agents the command, arguments and environment `launch` runs
 * them with (and a devstral-owned config file where the agent needs one); for editor and config-file agents the
 * snippet to paste, or to write with --write. Never the user's own files for terminal agents. Pure.
 */
import { join } from 'node:path';
import type { AgentSpec } from './agents.js';
import { configAgentSetup } from './configAgentSetup.js';
import { NO_KEY, outputTokens, root, shellWords, tomlString, type AgentSetup, type ServerInfo, type SetupPaths } from './setupShapes.js';

export function agentSetup(agent: AgentSpec, server: ServerInfo, paths: SetupPaths): AgentSetup {
  const key = server.apiKey ?? NO_KEY;
  const output = outputTokens(server.contextLength);
  const run = (command: string, args: string[], env: Record<string, string>, unset: string[] = []): AgentSetup['exec'] => ({ command, args, env, unset });
  const envText = (env: Record<string, string>, command: string[]) => `${Object.entries(env).map(([k, v]) => `${k}=${shellWords([v])}`).join(' ')} ${shellWords(command)}`;

  switch (agent.id) {
    case 'claude': {
      // Every model alias to the served model; the real window, so it compacts in time (Claude Code assumes
      // 200k for names it does not know, and reads this variable only for names not starting with "claude-"); no
      // per-request billing line, which would change the prompt each turn and defeat prefix reuse.
      const env = {
        ANTHROPIC_BASE_URL: root(server.baseUrl),
        ANTHROPIC_AUTH_TOKEN: key,
        ANTHROPIC_MODEL: server.model,
        ANTHROPIC_DEFAULT_OPUS_MODEL: server.model,
        ANTHROPIC_DEFAULT_SONNET_MODEL: server.model,
        ANTHROPIC_DEFAULT_HAIKU_MODEL: server.model,
        ANTHROPIC_SMALL_FAST_MODEL: server.model,
        CLAUDE_CODE_MAX_CONTEXT_TOKENS: String(server.contextLength),
        CLAUDE_CODE_MAX_OUTPUT_TOKENS: String(output),
        CLAUDE_CODE_ATTRIBUTION_HEADER: '0',
      };
      // ANTHROPIC_API_KEY would win over the token and send the user's real key to our server.
      return { agent, exec: run('claude', [], env, ['ANTHROPIC_API_KEY']), files: [], text: `env -u ANTHROPIC_API_KEY ${envText(env, ['claude'])}` };
    }
    case 'codex': {
      // Command-line overrides only: the user's ~/.codex/config.toml is never written. Plugin sync and analytics
      // off: they reach for github.com and chatgpt.com at every start. (Codex 0.171 has no output-token setting:
      // it ignores model_max_output_tokens, and our server caps each answer to the context.)
      const provider = `{name="devstral",base_url=${tomlString(server.baseUrl)},env_key="DEVSTRAL_API_KEY",wire_api="responses"}`;
      const args = [
        '-c', 'model_provider="devstral"',
        '-c', `model_providers.devstral=${provider}`,
        '-c', `model=${tomlString(server.model)}`,
        '-c', `model_context_window=${server.contextLength}`,
        '-c', `model_auto_compact_token_limit=${server.contextLength - output}`,
        '-c', 'features.plugins=false',
        '-c', 'analytics.enabled=false',
      ];
      const env = { DEVSTRAL_API_KEY: key };
      return { agent, exec: run('codex', args, env), files: [], text: envText(env, ['codex', ...args]) };
    }
    case 'opencode': {
      // A provider file of ours through OPENCODE_CONFIG (merged over the user's config, never written); the model
      // chosen in OPENCODE_CONFIG_CONTENT, which is merged last, so a project's opencode.json cannot switch it away.
      const file = join(paths.ownDir, 'opencode.json');
      const ref = `devstral/${server.model}`;
      const config = {
        $schema: 'https://opencode.ai/config.json',
        provider: {
          devstral: {
            npm: '@ai-sdk/openai-compatible',
            name: 'devstral',
            options: { baseURL: server.baseUrl, apiKey: '{env:DEVSTRAL_API_KEY}' },
            models: { [server.model]: { name: server.model, tool_call: true, limit: { context: server.contextLength, output } } },
          },
        },
      };
      const env = { OPENCODE_CONFIG: file, OPENCODE_CONFIG_CONTENT: JSON.stringify({ model: ref, small_model: ref }), DEVSTRAL_API_KEY: key };
      return { agent, exec: run('opencode', [], env), files: [{ path: file, format: 'json', content: `${JSON.stringify(config, null, 2)}\n`, owner: 'devstral' }], text: envText(env, ['opencode']) };
    }
    case 'qwen': {
      // All three OPENAI_* variables select its OpenAI auth; a system settings file of ours outranks the user's
      // ~/.qwen/settings.json (whose model and window would otherwise win). A fixed output size also stops its
      // retry of a long answer at 64000 tokens, more than the whole context.
      const file = join(paths.ownDir, 'qwen-settings.json');
      const settings = { $version: 4, model: { name: server.model, generationConfig: { contextWindowSize: server.contextLength } } };
      const env = { OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: key, OPENAI_MODEL: server.model, QWEN_CODE_SYSTEM_SETTINGS_PATH: file, QWEN_CODE_MAX_OUTPUT_TOKENS: String(output) };
      return { agent, exec: run('qwen', [], env), files: [{ path: file, format: 'json', content: `${JSON.stringify(settings, null, 2)}\n`, owner: 'devstral' }], text: envText(env, ['qwen']) };
    }
    default:
      return configAgentSetup(agent, server, paths, key, output);
  }
}
