/**
 * The coding agents `launch`, `connect` and `up --for` know: the protocol each speaks, the context it needs for real
 * work, and what it sends before the first user word (its system prompt and tools, measured on Devstral's tokenizer
 * from the requests in test/fixtures/agents: Claude Code 2.1.197 19,063 tokens, Codex 0.171.0 8,665). Pure.
 */
import { DevstralError } from '../errors.js';

export type AgentId = 'claude' | 'codex' | 'opencode' | 'qwen' | 'continue' | 'cline' | 'aider' | 'openhands' | 'vibe';
export type AgentProtocol = 'messages' | 'responses' | 'chat';

export interface AgentSpec {
  id: AgentId;
  name: string;
  aliases: string[];
  protocol: AgentProtocol;
  /** The context the planner aims for with `up --for` (Ollama tells its users 64k for the big three too). */
  planContext: number;
  /** Tokens the agent sends before the first user word. */
  promptTokens: number;
  /** A terminal agent `launch` runs (its command); editor and config-file agents get a snippet instead. */
  command?: string;
  /** How to install a terminal agent. */
  install?: string;
}

/** Room left after the agent's own prompt for files, tool results and answers, below which launch refuses. */
export const WORKING_MARGIN = 12_288;

export const AGENTS: readonly AgentSpec[] = [
  { id: 'claude', name: 'Claude Code', aliases: ['claude-code'], protocol: 'messages', planContext: 65_536, promptTokens: 20_000, command: 'claude', install: 'npm install -g @anthropic-ai/claude-code' },
  { id: 'codex', name: 'Codex', aliases: ['codex-cli'], protocol: 'responses', planContext: 65_536, promptTokens: 10_000, command: 'codex', install: 'npm install -g @openai/codex' },
  { id: 'opencode', name: 'opencode', aliases: [], protocol: 'chat', planContext: 65_536, promptTokens: 10_000, command: 'opencode', install: 'npm install -g opencode-ai' },
  { id: 'qwen', name: 'Qwen Code', aliases: ['qwen-code'], protocol: 'chat', planContext: 32_768, promptTokens: 8_000, command: 'qwen', install: 'npm install -g @qwen-code/qwen-code' },
  { id: 'continue', name: 'Continue', aliases: [], protocol: 'chat', planContext: 32_768, promptTokens: 4_000 },
  { id: 'cline', name: 'Cline', aliases: [], protocol: 'chat', planContext: 32_768, promptTokens: 12_000 },
  { id: 'aider', name: 'Aider', aliases: [], protocol: 'chat', planContext: 32_768, promptTokens: 4_000 },
  { id: 'openhands', name: 'OpenHands', aliases: ['open-hands'], protocol: 'chat', planContext: 32_768, promptTokens: 8_000 },
  { id: 'vibe', name: 'Mistral Vibe', aliases: ['mistral-vibe'], protocol: 'chat', planContext: 32_768, promptTokens: 6_000 },
];

export function findAgent(name: string): AgentSpec {
  const wanted = name.toLowerCase();
  const agent = AGENTS.find((a) => a.id === wanted || a.aliases.includes(wanted));
  if (!agent) throw new DevstralError('usage', `unknown agent "${name}"`, { hint: `use one of: ${AGENTS.map((a) => a.id).join(', ')}` });
  return agent;
}

/** The smallest context an agent can work in: its own prompt plus a working margin. */
export const minimumContext = (agent: AgentSpec) => agent.promptTokens + WORKING_MARGIN;
