/** POST /v1/chat/completions and /v1/completions: OpenAI's shapes over the engine, streamed or not. */
import { randomUUID } from 'node:crypto';
import { parseChatRequest } from '../protocols/chatCompletions/parseChatRequest.js';
import { parseCompletionRequest } from '../protocols/chatCompletions/parseCompletionRequest.js';
import { chatChunks, chatCompletionBody, completionBody, completionChunks } from '../protocols/chatCompletions/renderChatCompletion.js';
import { json, type RouteContext } from './routeContext.js';
import { SseStream } from './sse.js';

/** Legacy completions: a raw prompt, no chat template (the local engine only). */
const newId = (prefix: string) => `${prefix}-${randomUUID().replace(/-/g, '')}`;

export async function chatCompletionsRoute(ctx: RouteContext): Promise<void> {
  if (ctx.backend.forward) return ctx.backend.forward('/chat/completions', ctx.body, ctx.servedModel, ctx.res, ctx.signal);
  const request = parseChatRequest(ctx.body, { servedModel: ctx.servedModel });
  const meta = { id: newId('chatcmpl'), created: Math.floor(Date.now() / 1000), model: ctx.servedModel };
  if (!request.stream) {
    const result = await ctx.backend.generate(request, { signal: ctx.signal });
    if (!result.aborted) json(ctx.res, 200, chatCompletionBody(result, meta));
    return;
  }
  const chunks = chatChunks(meta);
  const sse = new SseStream(ctx.res);
  let started = false;
  const send = (data: object) => {
    if (!started) sse.send(chunks.start());
    started = true;
    sse.send(data);
  };
  const result = await ctx.backend.generate(request, { signal: ctx.signal, onText: (text) => send(chunks.text(text)), onToolCall: (delta) => send(chunks.toolCall(delta)) });
  if (result.aborted) return;
  if (!started) sse.send(chunks.start());
  for (const chunk of chunks.finish(result, request.includeUsage)) sse.send(chunk);
  sse.end(true);
}

export async function completionsRoute(ctx: RouteContext): Promise<void> {
  if (ctx.backend.forward) return ctx.backend.forward('/completions', ctx.body, ctx.servedModel, ctx.res, ctx.signal);
  const complete = ctx.backend.complete?.bind(ctx.backend);
  const request = parseCompletionRequest(ctx.body, { servedModel: ctx.servedModel });
  const meta = { id: newId('cmpl'), created: Math.floor(Date.now() / 1000), model: ctx.servedModel };
  if (!complete) throw new Error('legacy completions are not available on this backend');
  if (!request.stream) {
    const result = await complete(request, { signal: ctx.signal });
    if (!result.aborted) json(ctx.res, 200, completionBody(result, meta));
    return;
  }
  const chunks = completionChunks(meta);
  const sse = new SseStream(ctx.res);
  const result = await complete(request, { signal: ctx.signal, onText: (text) => sse.send(chunks.text(text)) });
  if (result.aborted) return;
  for (const chunk of chunks.finish(result, request.includeUsage)) sse.send(chunk);
  sse.end(true);
}
