/**
 * `devstral gateway` in front of a stand-in Chat Completions server that behaves like vLLM (a 400 when prompt +
 * max_tokens exceed the context, /tokenize, streamed tool calls): the official Anthropic and OpenAI clients speak
 * Messages and Responses to it; Chat Completions pass through.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { freePort } from '../support/startServe.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const CONTEXT = 4096;
const UPSTREAM_MODEL = 'devstral-small-1.1';
const seen: Record<string, unknown>[] = [];
let upstream: Server;
let upstreamUrl: string;
let gateway: ChildProcess;
let origin: string;

const promptTokens = (body: Record<string, unknown>) => Math.ceil(JSON.stringify(body.messages).length / 4);
const chunk = (delta: object, finish: string | null = null, extra: object = {}) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: UPSTREAM_MODEL, choices: [{ index: 0, delta, finish_reason: finish, ...extra }] })}\n\n`;

function startUpstream(): Promise<void> {
  upstream = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/v1/models') return json(200, { object: 'list', data: [{ id: UPSTREAM_MODEL, object: 'model', max_model_len: CONTEXT }] });
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (req.url === '/tokenize') return json(200, { count: promptTokens(body) + 7 });
      if (req.url !== '/v1/chat/completions') return json(404, { error: { message: 'no route' } });
      seen.push(body);
      const prompt = promptTokens(body);
      const max = body.max_tokens as number | undefined;
      if (max !== undefined && prompt + max > CONTEXT) {
        return json(400, { object: 'error', message: `This model's maximum context length is ${CONTEXT} tokens. However, you requested ${prompt + max} tokens (${prompt} in the messages, ${max} in the completion). Please reduce the length of the messages or completion.`, type: 'BadRequestError', param: null, code: 400 });
      }
      const usage = { prompt_tokens: prompt, completion_tokens: 4, total_tokens: prompt + 4, prompt_tokens_details: { cached_tokens: 3 } };
      if (!body.stream) return json(200, { id: 'c', object: 'chat.completion', created: 0, model: UPSTREAM_MODEL, choices: [{ index: 0, message: { role: 'assistant', content: 'plain answer' }, finish_reason: 'stop' }], usage });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }));
      const tools = body.tools as { function: { name: string } }[] | undefined;
      if (tools?.length && body.tool_choice !== 'none' && body.tool_choice !== 'auto') {
        res.write(chunk({ tool_calls: [{ index: 0, id: 'abcDEF123', type: 'function', function: { name: tools[0]!.function.name, arguments: '' } }] }));
        res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"choice": ' } }] }));
        res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: '"b"}' } }] }));
        res.write(chunk({}, 'tool_calls'));
      } else {
        for (const word of ['Hello', ' from', ' upstream']) res.write(chunk({ content: word }));
        const stop = (body.stop as string[] | undefined)?.[0];
        res.write(stop ? chunk({}, 'stop', { stop_reason: stop }) : chunk({}, 'stop'));
      }
      res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
}

before(async () => {
  await startUpstream();
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  gateway = spawn(process.execPath, [bin, 'gateway', '--upstream', upstreamUrl, '--port', String(port), '--api-key', 'k', '--served-model-name', 'devstral'], { stdio: ['ignore', 'ignore', 'pipe'] });
  for (let i = 0; i < 200; i++) {
    if ((await fetch(`${origin}/health`).then((r) => r.status, () => 0)) === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the gateway did not become ready');
});

after(async () => {
  gateway?.kill('SIGKILL');
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('devstral gateway', () => {
  it('Claude Code asks max_tokens 32000: the upstream 400 is answered by asking again with what fits', async () => {
    const client = new Anthropic({ baseURL: origin, apiKey: 'k', maxRetries: 0 });
    seen.length = 0;
    const m = await client.messages.stream({ model: 'anything', max_tokens: 32000, system: [{ type: 'text', text: 'sys' }], messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    assert.equal((m.content[0] as Anthropic.TextBlock).text, 'Hello from upstream');
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.usage.output_tokens, 4);
    assert.equal(m.usage.cache_read_input_tokens, 3);
    assert.equal(seen.length, 2);
    assert.equal(seen[1]!.max_tokens, CONTEXT - promptTokens(seen[1]!));
    assert.equal(seen[1]!.model, UPSTREAM_MODEL);
    assert.deepEqual((seen[1]!.messages as { role: string }[]).map((x) => x.role), ['system', 'user']);
  });

  it('Messages streaming with a forced tool: tool_use with input_json_delta from the upstream deltas', async () => {
    const client = new Anthropic({ baseURL: origin, authToken: 'k', apiKey: null, maxRetries: 0 });
    const tool = { name: 'pick', input_schema: { type: 'object' as const, properties: { choice: { type: 'string' } } } };
    const final = await client.messages.stream({ model: 'devstral', max_tokens: 100, messages: [{ role: 'user', content: 'pick' }], tools: [tool], tool_choice: { type: 'tool', name: 'pick' } }).finalMessage();
    const use = final.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    assert.deepEqual(use.input, { choice: 'b' });
    assert.equal(final.stop_reason, 'tool_use');
    assert.deepEqual(seen.at(-1)!.tool_choice, { type: 'function', function: { name: 'pick' } });
  });

  it('count_tokens asks the upstream to tokenize (vLLM /tokenize)', async () => {
    const client = new Anthropic({ baseURL: origin, apiKey: 'k', maxRetries: 0 });
    const counted = await client.messages.countTokens({ model: 'devstral', messages: [{ role: 'user', content: 'hello there' }] });
    assert.equal(counted.input_tokens, Math.ceil(JSON.stringify([{ role: 'user', content: 'hello there' }]).length / 4) + 7);
  });

  it('Responses, streamed and not; stop sequences reported as vLLM names them', async () => {
    const client = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'k', maxRetries: 0 });
    const r = await client.responses.create({ model: 'devstral', input: 'hi', instructions: 'be brief' });
    assert.equal(r.output_text, 'Hello from upstream');
    assert.equal(r.usage!.input_tokens_details.cached_tokens, 3);
    let text = '';
    for await (const e of await client.responses.create({ model: 'devstral', input: 'hi', stream: true })) if (e.type === 'response.output_text.delta') text += e.delta;
    assert.equal(text, 'Hello from upstream');
    const anthropic = new Anthropic({ baseURL: origin, apiKey: 'k', maxRetries: 0 });
    const stopped = await anthropic.messages.create({ model: 'devstral', max_tokens: 10, stop_sequences: ['END'], messages: [{ role: 'user', content: 'x' }] });
    assert.equal(stopped.stop_reason, 'stop_sequence');
    assert.equal(stopped.stop_sequence, 'END');
  });

  it('Chat Completions pass through to the upstream (its model name in the request)', async () => {
    const client = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'k', maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'devstral', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.choices[0]!.message.content, 'plain answer');
    assert.equal(seen.at(-1)!.model, UPSTREAM_MODEL);
    assert.equal((await client.models.list()).data[0]!.id, 'devstral');
    await assert.rejects(new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'wrong', maxRetries: 0 }).chat.completions.create({ model: 'devstral', messages: [{ role: 'user', content: 'hi' }] }), OpenAI.AuthenticationError);
  });

  it('with a server command after --: it runs as our child, and stops when we stop', async () => {
    const port = await freePort();
    const childPort = await freePort();
    const standin = fileURLToPath(new URL('../fixtures/standins/openaiStandinServer.mjs', import.meta.url));
    const g = spawn(process.execPath, [bin, 'gateway', '--upstream', `http://127.0.0.1:${childPort}/v1`, '--port', String(port), '--', process.execPath, standin, String(childPort), 'm1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    g.stderr!.on('data', (d) => (stderr += d));
    let ready = false;
    for (let i = 0; i < 200 && !ready; i++) {
      ready = (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0)) === 200;
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(ready, stderr);
    const exited = new Promise<number | null>((resolve) => g.once('exit', (code) => resolve(code)));
    g.kill('SIGTERM');
    await exited;
    // The child went with it: its port no longer answers.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await fetch(`http://127.0.0.1:${childPort}/v1/models`).then((r) => r.status, () => 0), 0, stderr);
  });
});
