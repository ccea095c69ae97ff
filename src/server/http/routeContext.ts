/** What every route shares with the server: its context, and a JSON answer. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatBackend, CompletionsBackend } from '../engine/engineRequest.js';
import type { ResponseStore } from '../protocols/responses/responseStore.js';

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

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
