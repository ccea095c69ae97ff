/** Where the server answers, and the one line that leads to each agent's settings (`devstral connect`). Pure. */
import type { ServerInfo } from '../agents/setupShapes.js';
import { AGENTS } from '../agents/agents.js';

export function renderConnectInfo(info: ServerInfo, name: string): string {
  const named = name === 'devstral' ? '' : ` --name ${name}`;
  return [
    `  base URL   ${info.baseUrl}`,
    `  model      ${info.model}`,
    `  context    ${info.contextLength} tokens`,
    `  API key    ${info.apiKey ?? 'none (any value works)'}`,
    `  protocols  OpenAI Chat Completions and Responses (${info.baseUrl}), Anthropic Messages (${info.baseUrl}/messages)`,
    '',
    `Hand it to a coding agent: devstral launch ${AGENTS.map((a) => a.id).join('|')}${named}  (every agent's settings: devstral connect${named})`,
  ].join('\n');
}
