/**
 * The HTTP surface: routing, the API key (Bearer or x-api-key on every route but /health), body limits, client
 * disconnects, and errors in the shape of the protocol each route speaks. The protocol faces do the rest.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError, invalidRequest, notFound, payloadTooLarge, serverError, serviceUnavailable, toOpenAiErrorBody, unauthorized } from '../apiError.js';
import { checkHost, checkJsonBody, checkOrigin, corsHeaders, type GuardOptions } from './requestGuard.js';
import type { ChatBackend, CompletionsBackend } from '../engine/engineRequest.js';
import { anthropicErrorBody } from '../protocols/messages/renderMessages.js';
import { chatCompletionsRoute, completionsRoute } from './chatCompletionsRoute.js';
import { countTokensRoute, messagesRoute } from './messagesRoute.js';
import { ResponseStore } from '../protocols/responses/responseStore.js';
import { json, type RouteContext } from './routeContext.js';
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
  /** Host and Origin checks (see requestGuard.ts). */
  guard: GuardOptions;
  log: (line: string) => void;
}

type Protocol = 'openai' | 'anthropic';
interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  /** Answered without the API key and before the model is loaded. */
  open?: boolean;
  handle: (ctx: RouteContext) => Promise<void> | void;
}

const ROUTES: Route[] = [
  { method: 'GET', path: /^\/$/, open: true, handle: (ctx) => json(ctx.res, 200, { status: 'ok', model: ctx.servedModel }) },
  { method: 'GET', path: /^\/health$/, open: true, handle: healthRoute },
  { method: 'GET', path: /^\/v1\/models$/, handle: (ctx) => json(ctx.res, 200, { object: 'list', data: [modelCard(ctx.servedModel, ctx.backend.contextLength)] }) },
  { method: 'GET', path: /^\/v1\/models\/(.+)$/, handle: modelRoute },
  { method: 'POST', path: /^\/v1\/chat\/completions$/, handle: chatCompletionsRoute },
  { method: 'POST', path: /^\/v1\/completions$/, handle: completionsRoute },
  { method: 'POST', path: /^\/v1\/messages$/, handle: messagesRoute },
  { method: 'POST', path: /^\/v1\/messages\/count_tokens$/, handle: countTokensRoute },
  { method: 'POST', path: /^\/v1\/responses$/, handle: responsesRoute },
  { method: 'GET', path: /^\/v1\/responses\/([^/]+)$/, handle: getResponseRoute },
  { method: 'DELETE', path: /^\/v1\/responses\/([^/]+)$/, handle: deleteResponseRoute },
];

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
      if (!res.headersSent) return json(res, e.status, body, e.headers);
      // Mid-stream: an error event, then the end of the stream.
      if (!res.writableEnded) res.end(protocol === 'anthropic' ? `event: error\ndata: ${JSON.stringify(body)}\n\n` : `data: ${JSON.stringify(body)}\n\ndata: [DONE]\n\n`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, signal: AbortSignal): Promise<void> {
    // Web pages and rebound DNS names first: nothing else is looked at for them.
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const refused = checkHost(req.headers.host, options.guard) ?? checkOrigin(origin, options.guard);
    if (refused) throw refused;
    for (const [name, value] of Object.entries(corsHeaders(origin, options.guard))) res.setHeader(name, value);
    const candidates = ROUTES.filter((r) => r.path.test(path));
    if (candidates.length === 0) {
      throw new ApiError(404, `no route ${req.method} ${path}: this server answers GET /health, GET /v1/models, POST /v1/chat/completions, /v1/completions, /v1/messages, /v1/messages/count_tokens and /v1/responses`, { code: 'not_found' });
    }
    const allow = [...new Set(candidates.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])))].join(', ');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { allow: `${allow}, OPTIONS`, ...corsHeaders(origin, options.guard, true) });
      return void res.end();
    }
    const route = candidates.find((r) => r.method === req.method || (req.method === 'HEAD' && r.method === 'GET'));
    if (!route) throw new ApiError(405, `${req.method} is not allowed on ${path}; it answers ${allow}.`, { code: 'method_not_allowed', headers: { allow } });
    if (!route.open && options.apiKey && !authorized(req, options.apiKey)) {
      throw unauthorized(req.headers.authorization || req.headers['x-api-key'] ? 'Incorrect API key provided.' : 'Missing API key: send Authorization: Bearer <key> or x-api-key: <key>.');
    }
    const backend = options.state.backend;
    if (!backend && !route.open) throw serviceUnavailable('the model is still loading; retry when GET /health answers 200');
    let body: unknown;
    if (route.method === 'POST') {
      const refusedBody = checkJsonBody(req.headers['content-type']);
      if (refusedBody) throw refusedBody;
      body = await readJson(req, limit);
    }
    const id = route.path.exec(path)?.[1];
    await route.handle({ req, res, body, backend: backend!, servedModel: options.state.servedModel, signal, responses, ...(id ? { id: decodeURIComponent(id) } : {}) });
  }

  return server;
}

function healthRoute(ctx: RouteContext): void {
  const backend = ctx.backend as RouteContext['backend'] | undefined; // open route: there before the model is
  if (!backend) return json(ctx.res, 503, { status: 'loading' });
  const s = backend.status();
  json(ctx.res, 200, { status: 'ok', slots: { total: s.parallel, busy: s.busy, queued: s.queued } });
}

function modelRoute(ctx: RouteContext): void {
  if (ctx.id === ctx.servedModel) return json(ctx.res, 200, modelCard(ctx.servedModel, ctx.backend.contextLength));
  throw notFound(`The model \`${ctx.id}\` does not exist. This server serves \`${ctx.servedModel}\`.`);
}

function modelCard(id: string, contextLength: number) {
  return { id, object: 'model', created: 0, owned_by: 'devstral', context_length: contextLength, max_model_len: contextLength };
}
