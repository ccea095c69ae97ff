/**
 * `devstral health` for one OpenAI-compatible endpoint: reachable, /health, /v1/models, chat, streaming, a forced
 * tool call, JSON mode and the context length, in that order. Every request has a timeout; the caller's signal
 * aborts the whole check (it then rejects with the signal's reason).
 */
import { AGENT_MIN_CONTEXT } from '../planShapes.js';
import { decideVerdict, type CheckResult, type EndpointReport } from './endpointReport.js';
import { normalizeBaseUrl } from './normalizeBaseUrl.js';
import { checkChat, checkJsonMode, checkToolCall, httpFailure, type CheckOutcome, type CompletionTarget } from './probeCompletions.js';
import { detectOllama, probeContextLength } from './probeContextLength.js';
import { checkStreaming } from './probeStreaming.js';
import { errorMessage, sendRequest } from './sendRequest.js';

export type { CheckResult, EndpointReport } from './endpointReport.js';
export { waitForReady, type WaitForReadyOptions } from './waitForReady.js';

export interface CheckEndpointOptions {
  /** The server root or its /v1. */
  baseUrl: string;
  apiKey?: string;
  model?: string;
  /** The context an agent needs (default 32768); less is a warning. */
  minContext?: number;
  /** For each generation request (default 120 s: a CPU can be slow); GETs get at most 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const REQUIRED = new Set(['reachable', 'health', 'models', 'chat', 'streaming', 'tool-call']);
const AFTER_MODELS = ['chat', 'streaming', 'tool-call', 'json-mode', 'context'];

export async function checkEndpoint(options: CheckEndpointOptions): Promise<EndpointReport> {
  const { baseUrl, rootUrl } = normalizeBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const minContext = options.minContext ?? AGENT_MIN_CONTEXT;
  const quick = { apiKey: options.apiKey, timeoutMs: Math.min(timeoutMs, 10_000), signal: options.signal };
  const checks: CheckResult[] = [];
  const add = (name: string, outcome: CheckOutcome, ms: number) => checks.push({ name, ...outcome, ms: Math.round(ms), required: REQUIRED.has(name) });
  const run = async <T extends CheckOutcome>(name: string, probe: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const outcome = await probe();
    add(name, { status: outcome.status, detail: outcome.detail }, performance.now() - started);
    return outcome;
  };
  const skip = (names: string[], detail: string) => names.forEach((name) => add(name, { status: 'skip', detail }, 0));
  const report = (extra: Omit<Partial<EndpointReport>, 'verdict' | 'checks'> = {}): EndpointReport => {
    const { ttftMs, tokensPerSecond, ...rest } = extra;
    const speed = { ...(ttftMs === undefined ? {} : { ttftMs }), ...(tokensPerSecond === undefined ? {} : { tokensPerSecond }) };
    return { url: options.baseUrl, baseUrl, ...rest, verdict: decideVerdict(checks), checks, ...speed };
  };

  // One GET /health answers both "reachable" and "/health semantics".
  const started = performance.now();
  const health = await sendRequest(`${rootUrl}/health`, quick);
  const ms = performance.now() - started;
  if (health.kind !== 'response') {
    add('reachable', { status: 'fail', detail: health.reason }, ms);
    return report();
  }
  add('reachable', { status: 'pass', detail: `HTTP ${health.status} from ${rootUrl}/health` }, ms);
  const healthOutcome = judgeHealth(health.status, health.json, health.text);
  add('health', healthOutcome, ms);
  if (healthOutcome.status === 'fail') {
    skip(['models', ...AFTER_MODELS], 'skipped: the server is not ready');
    return report();
  }

  let card: Record<string, unknown> | undefined;
  let model = options.model;
  const models = await run('models', async () => {
    const r = await checkModels(`${baseUrl}/models`, options.model, quick);
    card = r.card;
    model = r.model;
    return r;
  });
  if (models.status === 'fail' || !model) {
    skip(AFTER_MODELS, 'skipped: no model to test');
    return report(model ? { model } : {});
  }

  let ollama: Promise<boolean> | undefined;
  const isOllama = () => (ollama ??= detectOllama({ ...quick, rootUrl }));
  const target: CompletionTarget = { baseUrl, model, apiKey: options.apiKey, timeoutMs, signal: options.signal, isOllama };
  await run('chat', () => checkChat(target));
  const stream = await run('streaming', () => checkStreaming(target));
  await run('tool-call', () => checkToolCall(target));
  await run('json-mode', () => checkJsonMode(target));
  let contextLength: number | undefined;
  await run('context', async () => {
    const info = await probeContextLength(model!, card, isOllama, { ...quick, rootUrl });
    contextLength = info.contextLength;
    return judgeContext(info.contextLength, info.source, info.ollama, minContext);
  });
  return report({
    model,
    ...(contextLength === undefined ? {} : { contextLength }),
    ...(stream.ttftMs === undefined ? {} : { ttftMs: stream.ttftMs }),
    ...(stream.tokensPerSecond === undefined ? {} : { tokensPerSecond: stream.tokensPerSecond }),
  });
}

/** 200 ready (vLLM: the engine is up), 503 still loading, 404 and friends: the server has no /health. */
function judgeHealth(status: number, json: unknown, text: string): CheckOutcome {
  const body = json as { status?: unknown; slots?: { total?: number; busy?: number } } | undefined;
  if (status === 200) {
    const slots = body?.slots && typeof body.slots.total === 'number' ? ` (${body.slots.busy ?? 0} of ${body.slots.total} slots busy)` : '';
    return { status: 'pass', detail: `${typeof body?.status === 'string' ? body.status : 'HTTP 200'}${slots}` };
  }
  if (status === 503) return { status: 'fail', detail: `not ready: ${typeof body?.status === 'string' ? body.status : errorMessage(json, text)}` };
  if ([401, 403, 404, 405].includes(status)) return { status: 'skip', detail: `no /health here (HTTP ${status}); not every server has one` };
  return { status: 'fail', detail: `HTTP ${status}: ${errorMessage(json, text)}` };
}

async function checkModels(url: string, wanted: string | undefined, request: { apiKey?: string; timeoutMs: number; signal?: AbortSignal }): Promise<CheckOutcome & { model?: string; card?: Record<string, unknown> }> {
  const r = await sendRequest(url, request);
  if (r.kind !== 'response') return { status: 'fail', detail: r.reason };
  if (r.status === 404 && wanted) return { status: 'warn', detail: `no /v1/models (HTTP 404); testing ${wanted} as given`, model: wanted };
  if (r.status !== 200) return { status: 'fail', detail: httpFailure(r.status, r.json, r.text, request.apiKey) };
  const data = (r.json as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return { status: 'fail', detail: 'the answer has no data[] list of models' };
  const cards = data.filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'string');
  const ids = cards.map((m) => m.id as string);
  const list = ids.length > 8 ? `${ids.slice(0, 8).join(', ')} and ${ids.length - 8} more` : ids.join(', ');
  if (wanted) {
    const card = cards.find((m) => m.id === wanted);
    return card ? { status: 'pass', detail: `serves ${wanted}`, model: wanted, card } : { status: 'fail', detail: `${wanted} is not served; the server lists: ${list || 'nothing'}` };
  }
  if (cards.length === 1) return { status: 'pass', detail: `${ids[0]} (the only model)`, model: ids[0]!, card: cards[0]! };
  if (cards.length === 0) return { status: 'fail', detail: 'the server lists no models' };
  return { status: 'fail', detail: `${ids.length} models and no --model to choose one: ${list}` };
}

function judgeContext(length: number | undefined, source: string | undefined, ollama: boolean, minContext: number): CheckOutcome {
  const fixOllama = `set OLLAMA_CONTEXT_LENGTH=${Math.max(minContext, 65536)} for ollama serve, or serve a model with PARAMETER num_ctx`;
  if (length === undefined) {
    return ollama
      ? { status: 'warn', detail: `Ollama does not say the context of this model; its small default (4096 tokens below 24 GiB of VRAM) silently truncates agent prompts: ${fixOllama}` }
      : { status: 'skip', detail: 'the server does not report its context length' };
  }
  if (length >= minContext) return { status: 'pass', detail: `${length} tokens (${source})` };
  const fix = ollama ? `Ollama's default context is small (4096 tokens below 24 GiB of VRAM): ${fixOllama}` : "raise the server's context (vLLM --max-model-len, llama-server -c, devstral serve --ctx)";
  return { status: 'warn', detail: `${length} tokens (${source}), below the ${minContext} an agent needs: ${fix}` };
}
