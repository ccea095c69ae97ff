/** How to point coding agents at the server: ready-to-paste settings. Pure. */
export interface ConnectInfo {
  baseUrl: string;
  model: string;
  apiKey?: string;
  contextLength: number;
}

export function connectSettings(info: ConnectInfo) {
  const key = info.apiKey ?? 'none';
  return {
    env: { OPENAI_BASE_URL: info.baseUrl, OPENAI_API_KEY: key, OPENAI_MODEL: info.model },
    openhands: { LLM_MODEL: `openai/${info.model}`, LLM_BASE_URL: info.baseUrl, LLM_API_KEY: key },
    cline: { apiProvider: 'OpenAI Compatible', baseUrl: info.baseUrl, apiKey: key, modelId: info.model, contextWindow: info.contextLength },
    continue: { provider: 'openai', model: info.model, apiBase: info.baseUrl, apiKey: key, contextLength: info.contextLength },
    aider: `aider --model openai/${info.model} --openai-api-base ${info.baseUrl} --openai-api-key ${key}`,
    // Anthropic clients add /v1/messages themselves.
    claudeCode: { ANTHROPIC_BASE_URL: info.baseUrl.replace(/\/v1$/, ''), ANTHROPIC_AUTH_TOKEN: key, ANTHROPIC_MODEL: info.model, ANTHROPIC_SMALL_FAST_MODEL: info.model },
    codex: `${info.apiKey ? `DEVSTRAL_API_KEY=${info.apiKey} ` : ''}codex -c model_provider=devstral -c 'model_providers.devstral={name="devstral",base_url="${info.baseUrl}",wire_api="responses"${info.apiKey ? ',env_key="DEVSTRAL_API_KEY"' : ''}}' -c model=${info.model}`,
  };
}

export function renderConnectInfo(info: ConnectInfo): string {
  const s = connectSettings(info);
  return [
    `  base URL   ${info.baseUrl}`,
    `  model      ${info.model}`,
    `  context    ${info.contextLength} tokens`,
    `  API key    ${info.apiKey ?? 'none (any value works)'}`,
    `  protocols  OpenAI Chat Completions and Responses (${info.baseUrl}), Anthropic Messages (${info.baseUrl}/messages)`,
    '',
    'Environment (OpenAI clients):',
    ...Object.entries(s.env).map(([k, v]) => `  export ${k}=${v}`),
    '',
    'OpenHands (settings, or environment):',
    ...Object.entries(s.openhands).map(([k, v]) => `  ${k}=${v}`),
    '',
    'Cline: API Provider "OpenAI Compatible"',
    `  Base URL ${info.baseUrl}   API Key ${s.cline.apiKey}   Model ID ${info.model}   context window ${info.contextLength}`,
    '',
    'Continue (config.yaml, models:):',
    `  - { name: Devstral, provider: openai, model: ${info.model}, apiBase: ${info.baseUrl}, apiKey: ${s.continue.apiKey}, defaultCompletionOptions: { contextLength: ${info.contextLength} } }`,
    '',
    'Aider:',
    `  ${s.aider}`,
    '',
    'Claude Code (Anthropic Messages):',
    `  ${Object.entries(s.claudeCode).map(([k, v]) => `${k}=${v}`).join(' ')} claude`,
    '',
    'Codex (OpenAI Responses):',
    `  ${s.codex}`,
  ].join('\n');
}
