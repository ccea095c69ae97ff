/** POST /v1/responses (and GET / DELETE of stored responses): the OpenAI Responses API over the engine. */
import { randomBytes } from 'node:crypto';
import { ApiError, invalidRequest, notFound } from '../apiError.js';
import type { EngineMessage } from '../engine/engineRequest.js';
import { parseResponsesRequest } from '../protocols/responses/parseResponsesRequest.js';
import { responseBody, ResponseStream, type OutputItem, type ResponseEvent, type ResponseMeta } from '../protocols/responses/renderResponses.js';
import { json, type RouteContext } from './routeContext.js';
import { SseStream } from './sse.js';

const hex = () => randomBytes(12).toString('hex');

export async function responsesRoute(ctx: RouteContext): Promise<void> {
  const request = parseResponsesRequest(ctx.body, ctx.servedModel);
  let earlier: EngineMessage[] = [];
  if (request.previousResponseId !== undefined) {
    const previous = ctx.responses.get(request.previousResponseId);
    if (!previous) throw invalidRequest(`Previous response with id '${request.previousResponseId}' not found.`, 'previous_response_id', 'previous_response_not_found');
    earlier = previous.conversation;
  }
  // Instructions first (they do not carry over from the previous response), then the stored conversation, then the input.
  const system = request.messages.slice(0, request.messages.length - request.input.length);
  const engineRequest = { ...request, messages: [...system, ...earlier, ...request.input] };
  const meta: ResponseMeta = { id: `resp_${hex()}`, createdAt: Math.floor(Date.now() / 1000), echo: request.echo, newId: (prefix) => `${prefix}_${hex()}`, namespaces: request.namespaces };
  const keep = (response: Record<string, unknown>, output: OutputItem[]) => {
    if (request.store) ctx.responses.put(meta.id, response, [...earlier, ...request.input, ...outputMessages(output)]);
  };

  if (!request.stream) {
    const result = await ctx.backend.generate(engineRequest, { signal: ctx.signal });
    if (result.aborted) return;
    const body = responseBody(result, meta);
    keep(body, body.output);
    return json(ctx.res, 200, body);
  }
  const stream = new ResponseStream(meta);
  const sse = new SseStream(ctx.res);
  const send = (events: ResponseEvent[]) => events.forEach((e) => sse.send(e.data, e.event));
  let started = false;
  // The stream opens once the prompt is accepted, so a request that cannot run keeps its HTTP status.
  const start = () => {
    if (!started) send(stream.start());
    started = true;
  };
  try {
    const result = await ctx.backend.generate(engineRequest, {
      signal: ctx.signal,
      onStart: start,
      onText: (text) => {
        start();
        send(stream.textDelta(text));
      },
      onToolCall: (delta) => {
        start();
        send(stream.toolCall(delta));
      },
    });
    if (result.aborted) return;
    start();
    const { events, output } = stream.finish(result);
    send(events);
    keep(events.at(-1)!.data.response as Record<string, unknown>, output);
    sse.end();
  } catch (error) {
    if (!started || ctx.signal.aborted) throw error;
    const e = error instanceof ApiError ? error : undefined;
    send([stream.error(e?.message ?? `internal error: ${(error as Error).message}`, e?.code ?? 'server_error')]);
    sse.end();
    throw error;
  }
}

export function getResponseRoute(ctx: RouteContext): void {
  const stored = ctx.responses.get(ctx.id ?? '');
  if (!stored) throw notFound(`Response with id '${ctx.id}' not found.`, null, null);
  json(ctx.res, 200, stored.response);
}

export function deleteResponseRoute(ctx: RouteContext): void {
  if (!ctx.responses.delete(ctx.id ?? '')) throw notFound(`Response with id '${ctx.id}' not found.`, null, null);
  json(ctx.res, 200, { id: ctx.id, object: 'response', deleted: true });
}

/** A response's output as the assistant turn of the conversation it continues. */
function outputMessages(output: OutputItem[]): EngineMessage[] {
  const text = output.flatMap((item) => (item.type === 'message' ? item.content.map((c) => c.text) : [])).join('');
  const toolCalls = output.flatMap((item) => (item.type === 'function_call' ? [{ id: item.call_id, name: item.name, arguments: safeParse(item.arguments) }] : []));
  return [{ role: 'assistant', content: text, ...(toolCalls.length ? { toolCalls } : {}) }];
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text || '{}') as unknown;
  } catch {
    return {};
  }
}
