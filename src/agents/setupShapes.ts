/** The shapes agent set-ups are made of, and the small pure helpers every agent's set-up uses. */
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
  /** Why --write cannot apply the settings for this agent. */
  cannotWrite?: string;
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

export const root = (baseUrl: string) => baseUrl.replace(/\/v1\/?$/, '');
export const tomlString = (s: string) => JSON.stringify(s);
export const shellWords = (words: string[]) => words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
