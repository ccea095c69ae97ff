/**
 * What wires one agent to a running server: for terminal agents the command, arguments and environment `launch` runs
 * them with (and a devstral-owned config file where the agent needs one); for editor and config-file agents the
 * snippet to paste, or to write with --write. Never the user's own files for terminal agents. Pure.
 */
import type { AgentSpec } from './agents.js';

export interface ServerInfo {
  /** http://host:port/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
  contextLength: number;
}

export interface AgentFile {
  path: string;
  format: 'json' | 'yaml' | 'toml';
  /** The whole file: devstral's own, or the user's when it does not exist yet. */
  content: string;
  owner: 'devstral' | 'user';
  /** The user's existing file with our settings in it (the rest left as it was). */
  merge?: (existing: string) => string;
}

export interface AgentSetup {
  agent: AgentSpec;
  exec?: { command: string; args: string[]; env: Record<string, string>; unset: string[] };
  files: AgentFile[];
  /** The settings as a person would enter them (editor agents), or how to run it by hand. */
  text: string;
}

export interface SetupPaths {
  /** Where devstral keeps agent files of its own (state dir/agents). */
  ownDir: string;
  /** The user's home: where config-file agents keep theirs. */
  home: string;
}

/** A placeholder key agents insist on when the server needs none. */
export const NO_KEY = 'devstral';

/** Output tokens an agent may ask for: a quarter of the context, between 4k and 32k. */
export function outputTokens(contextLength: number): number {
  return Math.max(4096, Math.min(32_768, Math.floor(contextLength / 4 / 1024) * 1024));
}

const root = (baseUrl: string) => baseUrl.replace(/\/v1\/?$/, '');
const tomlString = (s: string) => JSON.stringify(s);
const shellWords = (words: string[]) => words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');

export function agentSetup(agent: AgentSpec, server: ServerInfo, paths: SetupPaths): AgentSetup {
  const key = server.apiKey ?? NO_KEY;
  const output = outputTokens(server.contextLength);
  const run = (command: string, args: string[], env: Record<string, string>, unset: string[] = []): AgentSetup['exec'] => ({ command, args, env, unset });
  const envText = (env: Record<string, string>, command: string[]) => `${Object.entries(env).map(([k, v]) => `${k}=${shellWords([v])}`).join(' ')} ${shellWords(command)}`;

  switch (agent.id) {
    case 'claude': {
      // Every model alias to the served model; the real window, so it compacts in time (Claude Code assumes
      // 200k for names it does not know); no per-request billing line, which would change the prompt each turn.
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
      return { agent, exec: run('claude', [], env, ['ANTHROPIC_API_KEY']), files: [], text: envText(env, ['claude']) };
    }
    case 'codex': {
      // Command-line overrides only: the user's ~/.codex/config.toml is never written. Plugin sync and analytics
      // off: they reach for github.com and chatgpt.com at every start.
      const provider = `{name="devstral",base_url=${tomlString(server.baseUrl)},env_key="DEVSTRAL_API_KEY",wire_api="responses"}`;
      const args = [
        '-c', 'model_provider="devstral"',
        '-c', `model_providers.devstral=${provider}`,
        '-c', `model=${tomlString(server.model)}`,
        '-c', `model_context_window=${server.contextLength}`,
        '-c', `model_auto_compact_token_limit=${Math.floor(server.contextLength * 0.8)}`,
        '-c', 'features.plugins=false',
        '-c', 'analytics.enabled=false',
      ];
      const env = { DEVSTRAL_API_KEY: key };
      return { agent, exec: run('codex', args, env), files: [], text: envText(env, ['codex', ...args]) };
    }
    case 'qwen': {
      const env = { OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: key, OPENAI_MODEL: server.model };
      return { agent, exec: run('qwen', [], env), files: [], text: envText(env, ['qwen']) };
    }
    default:
      return configAgentSetup(agent, server, paths, key, output);
  }
}

/** Agents configured by a file (or by hand): the snippet, and where --write would put it. */
function configAgentSetup(agent: AgentSpec, server: ServerInfo, paths: SetupPaths, key: string, output: number): AgentSetup {
  const settings = [`  base URL        ${server.baseUrl}`, `  API key         ${key}`, `  model           ${server.model}`, `  context window  ${server.contextLength}`, `  max output      ${output}`].join('\n');
  return { agent, files: [], text: `${agent.name}: an OpenAI-compatible provider with\n${settings}` };
}
