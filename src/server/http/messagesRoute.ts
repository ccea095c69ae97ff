/** POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API over the engine. */
import { randomBytes } from 'node:crypto';
import { parseMessagesRequest } from '../protocols/messages/parseMessagesRequest.js';
import { messageBody, MessageStream, type SseEvent } from '../protocols/messages/renderMessages.js';
import { json, type RouteContext } from './routeContext.js';
import { SseStream } from './sse.js';

/** Anthropic sends a ping now and then; it also keeps proxies from closing a stream during a long prefill. */
const PING_MS = 10_000;

export async function messagesRoute(ctx: RouteContext): Promise<void> {
  const request = parseMessagesRequest(ctx.body, ctx.servedModel);
  const meta = { id: `msg_${randomBytes(12).toString('hex')}`, model: ctx.servedModel };
  if (!request.stream) {
    const result = await ctx.backend.generate(request, { signal: ctx.signal });
    if (!result.aborted) json(ctx.res, 200, messageBody(result, meta));
    return;
  }
  const stream = new MessageStream(meta);
  const sse = new SseStream(ctx.res);
  const send = (events: SseEvent[]) => events.forEach((e) => sse.send(e.data, e.event));
  let started = false;
  const start = (promptTokens: number, cachedTokens: number) => {
    if (!started) send(stream.start(promptTokens, cachedTokens));
    started = true;
  };
  const ping = setInterval(() => started && send([{ event: 'ping', data: { type: 'ping' } }]), PING_MS);
  try {
    const result = await ctx.backend.generate(request, {
      signal: ctx.signal,
      onStart: ({ promptTokens, cachedTokens }) => start(promptTokens, cachedTokens),
      onText: (text) => {
        start(0, 0); // a backend that reports no start (the gateway) still opens the message first
        send(stream.text(text));
      },
      onToolCall: (delta) => {
        start(0, 0);
        send(stream.toolCall(delta));
      },
    });
    if (result.aborted) return;
    start(result.usage.promptTokens, result.usage.cachedTokens);
    send(stream.finish(result));
    sse.end();
  } finally {
    clearInterval(ping);
  }
}

/** The prompt's tokens with the model's own template and tokenizer, tools and system included: what `usage` reports. */
export async function countTokensRoute(ctx: RouteContext): Promise<void> {
  const request = parseMessagesRequest(ctx.body, ctx.servedModel, true);
  json(ctx.res, 200, { input_tokens: await ctx.backend.countTokens(request) });
}
