/**
 * The context length a server really gives a request, from wherever it tells: our server's `context_length`,
 * vLLM's `max_model_len` (both on /v1/models), llama-server's /props, or Ollama's /api/ps and /api/show.
 */
import { sendRequest } from './sendRequest.js';

export interface ProbeOptions {
  rootUrl: string;
  apiKey?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ContextInfo {
  contextLength?: number;
  /** Where the number came from, for the report. */
  source?: string;
  ollama: boolean;
}

const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);

/** Ollama answers GET /api/version with {"version": "..."}. */
export async function detectOllama(options: ProbeOptions): Promise<boolean> {
  const r = await sendRequest(`${options.rootUrl}/api/version`, options);
  return r.kind === 'response' && r.status === 200 && typeof (r.json as { version?: unknown } | undefined)?.version === 'string';
}

export async function probeContextLength(model: string, card: Record<string, unknown> | undefined, isOllama: () => Promise<boolean>, options: ProbeOptions): Promise<ContextInfo> {
  // LM Studio reports loaded_context_length next to max_context_length; the loaded one is what requests get.
  for (const key of ['context_length', 'max_model_len', 'loaded_context_length', 'max_context_length']) {
    const n = positive(card?.[key]);
    if (n) return { contextLength: n, source: `/v1/models ${key}`, ollama: false };
  }
  if (await isOllama()) return { ...(await probeOllama(model, options)), ollama: true };
  const props = await sendRequest(`${options.rootUrl}/props`, options);
  if (props.kind === 'response' && props.status === 200) {
    const body = props.json as { default_generation_settings?: { n_ctx?: unknown }; n_ctx?: unknown } | undefined;
    const n = positive(body?.default_generation_settings?.n_ctx) ?? positive(body?.n_ctx);
    if (n) return { contextLength: n, source: '/props n_ctx', ollama: false };
  }
  return { ollama: false };
}

/** The loaded model's context from /api/ps, else num_ctx from the model's parameters (/api/show). */
async function probeOllama(model: string, options: ProbeOptions): Promise<{ contextLength?: number; source?: string }> {
  const ps = await sendRequest(`${options.rootUrl}/api/ps`, options);
  if (ps.kind === 'response' && ps.status === 200) {
    const models = (ps.json as { models?: { name?: string; model?: string; context_length?: unknown }[] } | undefined)?.models ?? [];
    const n = positive(models.find((m) => m.name === model || m.model === model)?.context_length);
    if (n) return { contextLength: n, source: 'Ollama /api/ps' };
  }
  const show = await sendRequest(`${options.rootUrl}/api/show`, { ...options, body: { model } });
  if (show.kind === 'response' && show.status === 200) {
    const parameters = (show.json as { parameters?: unknown } | undefined)?.parameters;
    const match = typeof parameters === 'string' ? /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(parameters) : null;
    if (match) return { contextLength: Number(match[1]), source: 'Ollama /api/show num_ctx' };
  }
  return {};
}
