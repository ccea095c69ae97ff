/**
 * Before an agent is handed a server: the protocol it speaks answers, a forced tool call in that protocol parses,
 * and the context holds the agent's own prompt plus a working margin. One small request, not the full smoke test.
 */
import { DevstralError } from '../errors.js';
import { minimumContext, type AgentSpec } from './agents.js';
import type { ServerInfo } from './setupShapes.js';

const PING = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };

export interface AgentCheck {
  /** Problems that refuse the launch (or only warn with --force). */
  problems: string[];
  ms: number;
}

export async function checkForAgent(agent: AgentSpec, server: ServerInfo, timeoutMs = 20_000): Promise<AgentCheck> {
  const started = Date.now();
  const problems: string[] = [];
  const needed = minimumContext(agent);
  if (server.contextLength < needed) {
    problems.push(`the server's context is ${server.contextLength} tokens; ${agent.name} sends about ${agent.promptTokens} before the first word and needs at least ${needed} (${agent.planContext} for real work)`);
  }
  const root = server.baseUrl.replace(/\/v1\/?$/, '');
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.apiKey ?? 'devstral'}`, 'anthropic-version': '2023-06-01' };
  const post = async (path: string, body: object) => {
    const res = await fetch(`${root}${path}`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const ask = 'Call ping.';
  try {
    let args: unknown;
    if (agent.protocol === 'messages') {
      const m = await post('/v1/messages', { model: server.model, max_tokens: 48, messages: [{ role: 'user', content: ask }], tools: [{ name: 'ping', input_schema: PING }], tool_choice: { type: 'tool', name: 'ping' } });
      args = (m.content as { type: string; input?: unknown }[] | undefined)?.find((b) => b.type === 'tool_use')?.input;
    } else if (agent.protocol === 'responses') {
      const r = await post('/v1/responses', { model: server.model, input: ask, tools: [{ type: 'function', name: 'ping', parameters: PING }], tool_choice: { type: 'function', name: 'ping' }, max_output_tokens: 48, store: false });
      const call = (r.output as { type: string; arguments?: string }[] | undefined)?.find((o) => o.type === 'function_call');
      args = call?.arguments === undefined ? undefined : JSON.parse(call.arguments);
    } else {
      const c = await post('/v1/chat/completions', { model: server.model, max_tokens: 48, messages: [{ role: 'user', content: ask }], tools: [{ type: 'function', function: { name: 'ping', parameters: PING } }], tool_choice: 'required' });
      const call = (c.choices as { message?: { tool_calls?: { function: { arguments: string } }[] } }[] | undefined)?.[0]?.message?.tool_calls?.[0];
      args = call ? JSON.parse(call.function.arguments) : undefined;
    }
    if (typeof (args as { ok?: unknown } | undefined)?.ok !== 'boolean') problems.push(`a forced tool call over ${protocolName(agent)} did not come back as a parsed call (${JSON.stringify(args) ?? 'none'})`);
  } catch (error) {
    problems.push(`${protocolName(agent)} does not work here: ${(error as Error).message}`);
  }
  return { problems, ms: Date.now() - started };
}

export function protocolName(agent: AgentSpec): string {
  return agent.protocol === 'messages' ? 'Anthropic Messages' : agent.protocol === 'responses' ? 'OpenAI Responses' : 'Chat Completions';
}

/** The refusal, with the fix. */
export function agentRefusal(agent: AgentSpec, check: AgentCheck): DevstralError {
  return new DevstralError('unhealthy', `the server is not ready for ${agent.name}`, {
    details: check.problems,
    hint: `start one planned for it: devstral up --for ${agent.id} (or launch anyway with --force)`,
  });
}
