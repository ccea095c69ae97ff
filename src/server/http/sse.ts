import type { ServerResponse } from 'node:http';

/**
 * A server-sent event stream: `data: {json}` events (OpenAI), optionally named with `event:` (Anthropic, and the
 * Responses API's event types). The headers go out with the first event, so errors found before it keep their status.
 */
export class SseStream {
  private started = false;

  constructor(private readonly res: ServerResponse) {}

  get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  send(data: unknown, event?: string): void {
    if (!this.open) return;
    this.start();
    this.res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends the stream; `done` writes OpenAI's `data: [DONE]` first. */
  end(done = false): void {
    if (!this.open) return;
    this.start();
    this.res.end(done ? 'data: [DONE]\n\n' : undefined);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    this.res.flushHeaders();
  }
}
