/**
 * Scripted OpenAI-compatible servers on 127.0.0.1 that imitate what `devstral health` meets in the field: vLLM,
 * llama-server while loading, Ollama's /v1, tool calls leaked as [TOOL_CALLS] text, malformed SSE, an API key,
 * a server that dies mid-stream. The behaviour object is live: tests change it while the server runs.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface Behaviour {
  /** ok: {"status":"ok"}; vllm: 200 with an empty body; loading: llama-server's 503; none: 404 (Ollama). */
  health?: 'ok' | 'vllm' | 'loading' | 'none';
  models?: string[];
  /** Extra fields on every model card (context_length, max_model_len, ...). */
  card?: Record<string, unknown>;
  apiKey?: string;
  /** ok: tool_calls; leak: [TOOL_CALLS] text in content; text: ignores tool_choice (Ollama's /v1). */
  tools?: 'ok' | 'leak' | 'text';
  /** ok; malformed: a chunk that is not JSON; die: two chunks, then the process "dies" (stops listening). */
  sse?: 'ok' | 'malformed' | 'die';
  /** Ollama's /api: version, and num_ctx in /api/show's parameters. */
  ollama?: { numCtx: number };
  /** llama-server's /props n_ctx. */
  props?: { nCtx: number };
  /** empty: chat answers with no text (finish_reason stop). */
  chat?: 'ok' | 'empty';
}

export interface Fake {
  url: string;
  port: number;
  behaviour: Behaviour;
  close(): Promise<void>;
}

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
  res.end(text);
};
const LOADING = { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const part of req) text += part;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Listens on `port` (0: any free one). */
export async function startFake(behaviour: Behaviour, port = 0): Promise<Fake> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => send(res, 500, { error: { message: error.message } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const b = behaviour;
    const path = req.url ?? '/';
    if (path === '/health') {
      if (b.health === 'vllm') return send(res, 200, '');
      if (b.health === 'loading') return send(res, 503, LOADING);
      if (b.health === 'none') return send(res, 404, '404 page not found');
      return send(res, 200, { status: 'ok' });
    }
    if (path === '/api/version' && b.ollama) return send(res, 200, { version: '0.13.0' });
    if (path === '/api/ps' && b.ollama) return send(res, 200, { models: [] });
    if (path === '/api/show' && b.ollama) return send(res, 200, { parameters: `num_ctx ${b.ollama.numCtx}\ntemperature 0.15`, model_info: { 'llama.context_length': 131072 } });
    if (path === '/props' && b.props) return send(res, 200, { default_generation_settings: { n_ctx: b.props.nCtx } });
    if (!path.startsWith('/v1/')) return send(res, 404, 'not found');
    if (b.apiKey && req.headers.authorization !== `Bearer ${b.apiKey}`) {
      return send(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    if (b.health === 'loading') return send(res, 503, LOADING);
    if (path === '/v1/models') return send(res, 200, { object: 'list', data: (b.models ?? ['devstral']).map((id) => ({ id, object: 'model', owned_by: 'test', ...b.card })) });
    if (path !== '/v1/chat/completions' || req.method !== 'POST') return send(res, 404, { error: { message: `no route ${path}` } });
    const body = await readBody(req);
    if (body.stream) return stream(res, b.sse ?? 'ok');
    let message: Record<string, unknown> = { role: 'assistant', content: b.chat === 'empty' ? '' : 'OK' };
    let finish = 'stop';
    if (body.tools && b.tools === 'leak') message = { role: 'assistant', content: '[TOOL_CALLS]get_weather[ARGS]{"unit": "c"}' };
    else if (body.tools && b.tools === 'text') message = { role: 'assistant', content: 'I cannot look up the weather.' };
    else if (body.tools) {
      message = { role: 'assistant', content: null, tool_calls: [{ id: 'abcDEF123', type: 'function', function: { name: 'get_weather', arguments: '{"unit": "c"}' } }] };
      finish = 'tool_calls';
    } else if (body.response_format) message = { role: 'assistant', content: '{"ok": true}' };
    send(res, 200, { id: 'c1', object: 'chat.completion', model: body.model, choices: [{ index: 0, message, finish_reason: finish }], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } });
  }

  function stream(res: ServerResponse, mode: 'ok' | 'malformed' | 'die'): void {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: '' }));
    res.write(chunk({ content: '1' }));
    if (mode === 'malformed') {
      res.end('data: {"choices": [ oops\n\ndata: [DONE]\n\n');
      return;
    }
    if (mode === 'die') {
      // The process dies once the first chunks are out: this connection breaks and nothing listens any more.
      setTimeout(() => {
        res.socket?.destroy();
        server.close();
        server.closeAllConnections();
      }, 50);
      return;
    }
    for (const n of [', 2', ', 3', ', 4']) res.write(chunk({ content: n }));
    res.write(chunk({}, 'stop'));
    res.write(`data: ${JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } })}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    behaviour,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        if (!server.listening) resolve();
      }),
  };
}

/** A port nothing listens on (yet). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/**
 * The built CLI as a child process, asynchronously: the fake servers live in this process and must keep serving.
 * `onOutput` sees stdout and stderr as they arrive, with the child to signal.
 */
export function runCli(args: string[], options: { env?: Record<string, string>; onOutput?: (out: string, err: string, kill: (signal: NodeJS.Signals) => void) => void } = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, OPENAI_API_KEY: undefined, ...options.env };
  const child = spawn(process.execPath, [bin, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const kill = (signal: NodeJS.Signals) => child.kill(signal);
  child.stdout.on('data', (d) => {
    out += d;
    options.onOutput?.(out, err, kill);
  });
  child.stderr.on('data', (d) => {
    err += d;
    options.onOutput?.(out, err, kill);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}
