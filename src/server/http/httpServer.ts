/**
 * The HTTP surface: routing, the API key (Bearer or x-api-key on every route but /health), body limits, client
 * disconnects, and errors in the shape of the protocol each route speaks. The protocol faces do the rest.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError, invalidRequest, notFound, payloadTooLarge, serverError, serviceUnavailable, toOpenAiErrorBody, unauthorized } from '../apiError.js';
import type { ChatBackend } from '../engine/engineRequest.js';
import { anthropicErrorBody } from '../protocols/messages/renderMessages.js';
import { chatCompletionsRoute, completionsRoute, type CompletionsBackend } from './chatCompletionsRoute.js';
import { countTokensRoute, messagesRoute } from './messagesRoute.js';
import { ResponseStore } from '../protocols/responses/responseStore.js';
import { deleteResponseRoute, getResponseRoute, responsesRoute } from './responsesRoute.js';

/** What the server serves; the backend (and, for the gateway, the model name) arrive once loaded. */
export interface ServeState {
  backend?: ChatBackend & Partial<CompletionsBackend>;
  servedModel: string;
}

export interface HttpServerOptions {
  state: ServeState;
  apiKey?: string;
  maxBodyBytes?: number;
  log: (line: string) => void;
}

/** What a route gets: the parsed body, the backend, and a signal that aborts when the client goes away. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
  backend: ChatBackend & Partial<CompletionsBackend>;
  servedModel: string;
  signal: AbortSignal;
  responses: ResponseStore;
  /** The path's last segment for routes with an id. */
  id?: string;
}

type Protocol = 'openai' | 'anthropic';
interface Route {
  method: string;
  path: RegExp;
  protocol: Protocol;
  /** Routes that read no body (GET, DELETE). */
  bodyless?: boolean;
  handle: (ctx: RouteContext) => Promise<void> | void;
}

const ROUTES: Route[] = [
  { method: 'POST', path: /^\/v1\/chat\/completions$/, protocol: 'openai', handle: chatCompletionsRoute },
  { method: 'POST', path: /^\/v1\/completions$/, protocol: 'openai', handle: completionsRoute },
  { method: 'POST', path: /^\/v1\/messages$/, protocol: 'anthropic', handle: messagesRoute },
  { method: 'POST', path: /^\/v1\/messages\/count_tokens$/, protocol: 'anthropic', handle: countTokensRoute },
  { method: 'POST', path: /^\/v1\/responses$/, protocol: 'openai', handle: responsesRoute },
  { method: 'GET', path: /^\/v1\/responses\/([^/]+)$/, protocol: 'openai', bodyless: true, handle: getResponseRoute },
  { method: 'DELETE', path: /^\/v1\/responses\/([^/]+)$/, protocol: 'openai', bodyless: true, handle: deleteResponseRoute },
];

export function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

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

/** The key from `Authorization: Bearer` (OpenAI clients, ANTHROPIC_AUTH_TOKEN) or `x-api-key` (ANTHROPIC_API_KEY). */
function authorized(req: IncomingMessage, apiKey: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
  const header = req.headers['x-api-key'];
  const given = bearer ?? (typeof header === 'string' ? header.trim() : '');
  const a = Buffer.from(given);
  const b = Buffer.from(apiKey);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createHttpServer(options: HttpServerOptions): Server {
  const limit = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const responses = new ResponseStore();
  const server = createServer((req, res) => {
    const controller = new AbortController();
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    res.on('close', () => {
      if (res.writableFinished) return;
      controller.abort(new Error('client disconnected'));
      options.log(`info: ${req.method} ${path}: the client disconnected before the answer was complete; its generation was stopped`);
    });
    const protocol: Protocol = path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
    handle(req, res, path, controller.signal).catch((error: unknown) => {
      if (controller.signal.aborted) return; // said when it happened
      const e = error instanceof ApiError ? error : serverError(`internal error: ${(error as Error).message}`);
      if (!(error instanceof ApiError)) options.log(`error: ${(error as Error).stack ?? String(error)}`);
      const body = protocol === 'anthropic' ? anthropicErrorBody(e) : toOpenAiErrorBody(e);
      if (!res.headersSent) return json(res, e.status, body);
      // Mid-stream: an error event, then the end of the stream.
      if (!res.writableEnded) res.end(protocol === 'anthropic' ? `event: error\ndata: ${JSON.stringify(body)}\n\n` : `data: ${JSON.stringify(body)}\n\ndata: [DONE]\n\n`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, signal: AbortSignal): Promise<void> {
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) return json(res, 200, { status: 'ok', model: options.state.servedModel });
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, `${req.method} is not allowed on /health`);
      const backend = options.state.backend;
      if (!backend) return json(res, 503, { status: 'loading' });
      const s = backend.status();
      return json(res, 200, { status: 'ok', slots: { total: s.parallel, busy: s.busy, queued: s.queued } });
    }
    if (options.apiKey && !authorized(req, options.apiKey)) {
      throw unauthorized(req.headers.authorization || req.headers['x-api-key'] ? 'Incorrect API key provided.' : 'Missing API key: send Authorization: Bearer <key> or x-api-key: <key>.');
    }
    const backend = options.state.backend;
    if (req.method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) {
      if (!backend) throw serviceUnavailable('the model is still loading');
      const served = options.state.servedModel;
      if (path === '/v1/models') return json(res, 200, { object: 'list', data: [modelCard(served, backend.contextLength)] });
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (id === served) return json(res, 200, modelCard(served, backend.contextLength));
      throw notFound(`The model \`${id}\` does not exist. This server serves \`${served}\`.`);
    }
    for (const route of ROUTES) {
      const match = route.path.exec(path);
      if (!match || route.method !== req.method) continue;
      if (!backend) throw serviceUnavailable('the model is still loading; retry when GET /health answers 200');
      const body = route.bodyless ? undefined : await readJson(req, limit);
      return route.handle({ req, res, body, backend, servedModel: options.state.servedModel, signal, responses, ...(match[1] ? { id: decodeURIComponent(match[1]) } : {}) });
    }
    throw new ApiError(404, `no route ${req.method} ${path}: this server answers GET /health, GET /v1/models, POST /v1/chat/completions, /v1/completions, /v1/messages, /v1/messages/count_tokens and /v1/responses`, { code: 'not_found' });
  }

  return server;
}

function modelCard(id: string, contextLength: number) {
  return { id, object: 'model', created: 0, owned_by: 'devstral', context_length: contextLength, max_model_len: contextLength };
}
