/**
 * The OpenAI-compatible HTTP surface: /health, /v1/models, /v1/chat/completions, /v1/completions. Errors in
 * OpenAI's shape with the right status; the server keeps serving after any bad request.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Engine, GenerationResult } from './engine.js';
import { invalidRequest, notFound, OpenAiError, payloadTooLarge, serverError, serviceUnavailable, toErrorBody, unauthorized } from './openAiError.js';
import { parseChatRequest } from './parseChatRequest.js';
import { parseCompletionRequest } from './parseCompletionRequest.js';
import { SseStream } from './sse.js';

export interface ServeState {
  engine?: Engine;
  loading: boolean;
}

export interface HttpServerOptions {
  state: ServeState;
  servedModel: string;
  apiKey?: string;
  maxBodyBytes?: number;
  log: (line: string) => void;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw payloadTooLarge(`the request body is ${declared} bytes; the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw payloadTooLarge(`the request body is over the ${limit}-byte limit`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}

function authorized(req: IncomingMessage, apiKey: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(apiKey);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createHttpServer(options: HttpServerOptions): Server {
  const limit = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const e = error instanceof OpenAiError ? error : serverError(`internal error: ${(error as Error).message}`);
      if (!(error instanceof OpenAiError)) options.log(`error: ${(error as Error).stack ?? String(error)}`);
      if (res.headersSent) {
        // Mid-stream: an error event, then the end of the stream.
        if (!res.writableEnded) res.end(`data: ${JSON.stringify(toErrorBody(e))}\n\ndata: [DONE]\n\n`);
      } else json(res, e.status, toErrorBody(e));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new OpenAiError(405, `${req.method} is not allowed on /health`);
      const engine = options.state.engine;
      if (!engine) return json(res, 503, { status: 'loading' });
      return json(res, 200, { status: 'ok', slots: { total: engine.parallel, busy: engine.parallel - engine.available, queued: engine.queued } });
    }
    if (options.apiKey && !authorized(req, options.apiKey)) throw unauthorized(req.headers.authorization ? 'Incorrect API key provided.' : 'Missing API key: send Authorization: Bearer <key>.');
    const engine = options.state.engine;
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /v1/models':
        if (!engine) throw serviceUnavailable('the model is still loading');
        return json(res, 200, { object: 'list', data: [modelCard(options.servedModel, engine)] });
      case `GET /v1/models/${options.servedModel}`:
        if (!engine) throw serviceUnavailable('the model is still loading');
        return json(res, 200, modelCard(options.servedModel, engine));
      case 'POST /v1/chat/completions':
        return chatCompletions(req, res, await readJson(req, limit));
      case 'POST /v1/completions':
        return completions(req, res, await readJson(req, limit));
    }
    if (path.startsWith('/v1/models/')) throw notFound(`The model \`${decodeURIComponent(path.slice(11))}\` does not exist. This server serves \`${options.servedModel}\`.`);
    throw new OpenAiError(404, `no route ${route}: this server answers GET /health, GET /v1/models, POST /v1/chat/completions and POST /v1/completions`, { code: 'not_found' });
  }

  /** Aborts generation when the client goes away before the response is complete. */
  function abortOnDisconnect(req: IncomingMessage, res: ServerResponse): AbortController {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client disconnected'));
    });
    return controller;
  }

  function requireEngine(): Engine {
    if (!options.state.engine) throw serviceUnavailable('the model is still loading; retry when GET /health answers 200');
    return options.state.engine;
  }

  async function chatCompletions(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const engine = requireEngine();
    const request = parseChatRequest(body, { servedModel: options.servedModel, contextLength: engine.contextLength });
    const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, object: 'chat.completion.chunk', created, model: options.servedModel };
    const controller = abortOnDisconnect(req, res);
    if (!request.stream) {
      const result = await engine.chat(request, { signal: controller.signal });
      return json(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: options.servedModel,
        choices: [{ index: 0, message: assistantMessage(result), logprobs: null, finish_reason: result.finishReason }],
        usage: result.usage,
      });
    }
    // Validation and the context check happen before the first byte, so errors keep their status.
    let sse: SseStream | undefined;
    const stream = () => {
      if (!sse) {
        sse = new SseStream(res);
        sse.send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] });
      }
      return sse;
    };
    const result = await engine.chat(request, {
      signal: controller.signal,
      onText: (text) => stream().send({ ...base, choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }] }),
      onToolCall: (delta) =>
        stream().send({
          ...base,
          choices: [{ index: 0, delta: { tool_calls: [{ index: delta.index, ...(delta.id ? { id: delta.id, type: 'function' } : {}), function: { ...(delta.name ? { name: delta.name } : {}), arguments: delta.arguments } }] }, logprobs: null, finish_reason: null }],
        }),
    });
    if (result.aborted) return;
    const s = stream();
    s.send({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: result.finishReason }] });
    if (request.includeUsage) s.send({ ...base, choices: [], usage: result.usage });
    s.done();
  }

  async function completions(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const engine = requireEngine();
    const request = parseCompletionRequest(body, { servedModel: options.servedModel, contextLength: engine.contextLength });
    const id = `cmpl-${randomUUID().replace(/-/g, '')}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, object: 'text_completion', created, model: options.servedModel };
    const controller = abortOnDisconnect(req, res);
    if (!request.stream) {
      const result = await engine.complete(request, { signal: controller.signal });
      return json(res, 200, { ...base, choices: [{ index: 0, text: result.text, logprobs: null, finish_reason: result.finishReason }], usage: result.usage });
    }
    let sse: SseStream | undefined;
    const stream = () => (sse ??= new SseStream(res));
    const result = await engine.complete(request, {
      signal: controller.signal,
      onText: (text) => stream().send({ ...base, choices: [{ index: 0, text, logprobs: null, finish_reason: null }] }),
    });
    if (result.aborted) return;
    stream().send({ ...base, choices: [{ index: 0, text: '', logprobs: null, finish_reason: result.finishReason }] });
    if (request.includeUsage) stream().send({ ...base, choices: [], usage: result.usage });
    stream().done();
  }

  return server;
}

function assistantMessage(result: GenerationResult) {
  return {
    role: 'assistant',
    content: result.toolCalls.length && !result.text ? null : result.text,
    ...(result.toolCalls.length ? { tool_calls: result.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
  };
}

function modelCard(id: string, engine: Engine) {
  return { id, object: 'model', created: 0, owned_by: 'devstral', context_length: engine.contextLength, max_model_len: engine.contextLength };
}
