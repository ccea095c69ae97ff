/**
 * The gateway's backend: another server's Chat Completions (vLLM, Ollama, llama-server), streamed, as the engine's
 * generate(). The protocol faces in front are the same as for the local engine, so Anthropic Messages and OpenAI
 * Responses work on every runtime. An upstream that refuses a max_tokens larger than what is left of its context
 * (vLLM does; Claude Code asks 32000) is asked again once with what fits.
 */
import type { ServerResponse } from 'node:http';
import { ApiError, serviceUnavailable } from '../apiError.js';
import type { BackendStatus, ChatBackend, EngineRequest, GenerationHandlers, GenerationResult } from '../engine/engineRequest.js';
import { SseParser } from '../../health/SseParser.js';
import { maxTokensThatFit, toUpstreamBody } from './toUpstreamBody.js';

export interface UpstreamOptions {
  /** The upstream's OpenAI base URL, ending in /v1. */
  baseUrl: string;
  /** The model id the upstream serves. */
  model: string;
  apiKey?: string;
  contextLength: number;
  /** Output tokens when a request names none (else the upstream's default). */
  maxTokensDefault?: number;
}

interface ChunkChoice {
  delta?: { content?: string | null; tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[] };
  finish_reason?: string | null;
  /** vLLM: the stop string that ended the text. */
  stop_reason?: string | number | null;
}

export class UpstreamBackend implements ChatBackend {
  private inFlight = 0;

  constructor(private readonly options: UpstreamOptions) {}

  get contextLength(): number {
    return this.options.contextLength;
  }

  status(): BackendStatus {
    return { parallel: Math.max(this.inFlight, 1), busy: this.inFlight, queued: 0 };
  }

  async generate(request: EngineRequest, handlers: GenerationHandlers): Promise<GenerationResult> {
    this.inFlight++;
    try {
      const maxTokens = request.maxTokens ?? this.options.maxTokensDefault;
      let response = await this.post('/chat/completions', toUpstreamBody(request, this.options.model, maxTokens), handlers.signal);
      if (response.status === 400 && maxTokens !== undefined) {
        const message = await errorMessage(response);
        const fits = maxTokensThatFit(message);
        if (fits === undefined || fits >= maxTokens) throw new ApiError(400, message, { code: /context length/i.test(message) ? 'context_length_exceeded' : null });
        response = await this.post('/chat/completions', toUpstreamBody(request, this.options.model, fits), handlers.signal);
      }
      if (!response.ok) throw new ApiError(response.status >= 500 ? 502 : response.status, `the server behind the gateway answered ${response.status}: ${await errorMessage(response)}`);
      return await this.read(response, handlers);
    } catch (error) {
      if (handlers.signal.aborted) return { text: '', toolCalls: [], finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 }, aborted: true };
      throw error;
    } finally {
      this.inFlight--;
    }
  }

  /**
   * Chat Completions and legacy completions go to the upstream as they are (its own validation, features and
   * errors); our served model name in the request becomes the upstream's.
   */
  async forward(path: '/chat/completions' | '/completions', body: unknown, servedModel: string, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const b = body as Record<string, unknown>;
    const forwarded = typeof b === 'object' && b !== null && typeof b.model === 'string' && b.model.toLowerCase() === servedModel.toLowerCase() ? { ...b, model: this.options.model } : body;
    const response = await this.post(path, forwarded, signal);
    res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-cache' });
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) res.write(bytes);
    res.end();
  }

  /** vLLM's /tokenize renders the chat template with the tools; elsewhere an estimate (about 4 characters a token). */
  async countTokens(request: EngineRequest): Promise<number> {
    const body = toUpstreamBody(request, this.options.model, undefined);
    const root = this.options.baseUrl.replace(/\/v1$/, '');
    const counted = await fetch(`${root}/tokenize`, { method: 'POST', headers: this.headers(), body: JSON.stringify({ model: body.model, messages: body.messages, ...('tools' in body ? { tools: body.tools } : {}), add_generation_prompt: true }) })
      .then(async (r) => (r.ok ? ((await r.json()) as { count?: number }).count : undefined))
      .catch(() => undefined);
    if (typeof counted === 'number') return counted;
    return Math.ceil(JSON.stringify([body.messages, 'tools' in body ? body.tools : []]).length / 4);
  }

  private headers(): Record<string, string> {
    return { 'content-type': 'application/json', accept: 'text/event-stream', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) };
  }

  private async post(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    try {
      return await fetch(`${this.options.baseUrl}${path}`, { method: 'POST', headers: this.headers(), body: JSON.stringify(body), signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw serviceUnavailable(`the server behind the gateway (${this.options.baseUrl}) cannot be reached: ${(error as Error).message}`);
    }
  }

  /** The upstream's stream as engine events and one result. */
  private async read(response: Response, handlers: GenerationHandlers): Promise<GenerationResult> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let text = '';
    const calls: { id: string; name: string; arguments: string }[] = [];
    let finish: string | null = null;
    let stopSequence: string | undefined;
    let usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
    const take = (data: string) => {
      if (data === '[DONE]') return;
      const chunk = JSON.parse(data) as { choices?: ChunkChoice[]; usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } | null }; error?: { message?: string } };
      if (chunk.error) throw new ApiError(502, `the server behind the gateway failed mid-stream: ${chunk.error.message ?? JSON.stringify(chunk.error)}`);
      const choice = chunk.choices?.[0];
      if (choice?.delta?.content) {
        text += choice.delta.content;
        handlers.onText?.(choice.delta.content);
      }
      for (const call of choice?.delta?.tool_calls ?? []) {
        const index = call.index ?? calls.length;
        const known = calls[index];
        if (!known) calls[index] = { id: call.id ?? `call${index}`, name: call.function?.name ?? '', arguments: '' };
        const entry = calls[index]!;
        const piece = call.function?.arguments ?? '';
        entry.arguments += piece;
        handlers.onToolCall?.({ index, ...(known ? {} : { id: entry.id, name: entry.name }), arguments: piece });
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (typeof choice?.stop_reason === 'string') stopSequence = choice.stop_reason;
      if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0, cachedTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0 };
    };
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (const event of parser.push(decoder.decode(bytes, { stream: true }))) if (event.kind === 'data') take(event.data);
    }
    for (const event of parser.end()) if (event.kind === 'data') take(event.data);
    const toolCalls = calls.filter(Boolean);
    return {
      text,
      toolCalls,
      finishReason: finish === 'length' ? 'length' : toolCalls.length ? 'tool_calls' : 'stop',
      ...(stopSequence !== undefined ? { stopSequence } : {}),
      usage,
      aborted: false,
    };
  }
}

async function errorMessage(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } | string; message?: string; detail?: string };
    const message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message ?? parsed.detail);
    if (message) return message;
  } catch {
    // not JSON: the text itself
  }
  return body.slice(0, 500) || response.statusText;
}
