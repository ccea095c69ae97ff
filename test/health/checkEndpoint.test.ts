/** checkEndpoint and waitForReady against scripted servers on 127.0.0.1 that behave like the real ones. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { checkEndpoint, type EndpointReport } from '../../src/health/checkEndpoint.ts';
import { waitForReady } from '../../src/health/waitForReady.ts';
import { freePort, startFake, type Fake } from './fakeEndpoint.ts';

const fakes: Fake[] = [];
after(() => Promise.all(fakes.map((f) => f.close())));
async function fake(...args: Parameters<typeof startFake>): Promise<Fake> {
  const f = await startFake(...args);
  fakes.push(f);
  return f;
}

/** name -> status, in order. */
const statuses = (r: EndpointReport) => Object.fromEntries(r.checks.map((c) => [c.name, c.status]));
const detail = (r: EndpointReport, name: string) => r.checks.find((c) => c.name === name)?.detail ?? '';

describe('checkEndpoint', () => {
  it('a good server (root or /v1): every check passes, with time to first token and context', async () => {
    const f = await fake({ card: { context_length: 65536 } });
    for (const url of [f.url, `${f.url}/v1/`]) {
      const r = await checkEndpoint({ baseUrl: url });
      assert.equal(r.verdict, 'healthy');
      assert.equal(r.baseUrl, `${f.url}/v1`);
      assert.equal(r.url, url);
      assert.deepEqual(statuses(r), { reachable: 'pass', health: 'pass', models: 'pass', chat: 'pass', streaming: 'pass', 'tool-call': 'pass', 'json-mode': 'pass', context: 'pass' });
      assert.equal(r.model, 'devstral');
      assert.equal(r.contextLength, 65536);
      assert.equal(typeof r.ttftMs, 'number');
      assert.equal(r.tokensPerSecond === undefined || r.tokensPerSecond > 0, true);
      assert.deepEqual(r.checks.filter((c) => c.required).map((c) => c.name), ['reachable', 'health', 'models', 'chat', 'streaming', 'tool-call']);
      assert.match(detail(r, 'tool-call'), /get_weather\(\{"unit": "c"\}\)/);
    }
  });

  it('nothing listening: unreachable, and it stops after the first check', async () => {
    const r = await checkEndpoint({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    assert.equal(r.verdict, 'unreachable');
    assert.deepEqual(statuses(r), { reachable: 'fail' });
    assert.match(detail(r, 'reachable'), /connection refused/);
  });

  it('vLLM: /health 200 with an empty body, max_model_len as the context', async () => {
    const f = await fake({ health: 'vllm', card: { max_model_len: 131072 } });
    const r = await checkEndpoint({ baseUrl: f.url });
    assert.equal(r.verdict, 'healthy');
    assert.equal(statuses(r).health, 'pass');
    assert.equal(r.contextLength, 131072);
    assert.match(detail(r, 'context'), /max_model_len/);
  });

  it('llama-server while loading: /health 503 is "not ready", the rest is skipped', async () => {
    const f = await fake({ health: 'loading', props: { nCtx: 8192 } });
    const r = await checkEndpoint({ baseUrl: f.url });
    assert.equal(r.verdict, 'unhealthy');
    assert.deepEqual(statuses(r), { reachable: 'pass', health: 'fail', models: 'skip', chat: 'skip', streaming: 'skip', 'tool-call': 'skip', 'json-mode': 'skip', context: 'skip' });
    assert.match(detail(r, 'health'), /not ready: Loading model/);
    f.behaviour.health = 'ok';
    const ready = await checkEndpoint({ baseUrl: f.url });
    assert.equal(ready.verdict, 'healthy');
    assert.equal(ready.contextLength, 8192);
    assert.equal(statuses(ready).context, 'warn', 'below the default 32768');
    assert.match(detail(ready, 'context'), /8192 tokens \(\/props n_ctx\), below the 32768/);
    assert.equal(statuses(await checkEndpoint({ baseUrl: f.url, minContext: 8192 })).context, 'pass');
  });

  it("Ollama's /v1: no /health, tool_choice ignored (text instead of a tool call), small num_ctx", async () => {
    const f = await fake({ health: 'none', models: ['devstral:24b'], tools: 'text', ollama: { numCtx: 4096 } });
    const r = await checkEndpoint({ baseUrl: f.url });
    assert.equal(r.verdict, 'unhealthy');
    assert.deepEqual(statuses(r), { reachable: 'pass', health: 'skip', models: 'pass', chat: 'pass', streaming: 'pass', 'tool-call': 'fail', 'json-mode': 'pass', context: 'warn' });
    assert.match(detail(r, 'tool-call'), /text instead of a tool call although tool_choice is "required" \(Ollama's \/v1 ignores tool_choice\)/);
    assert.equal(r.contextLength, 4096);
    assert.match(detail(r, 'context'), /4096 tokens \(Ollama \/api\/show num_ctx\).*Ollama's default context is small.*OLLAMA_CONTEXT_LENGTH=65536/);
  });

  it('[TOOL_CALLS] leaked into the content fails the tool call with a clear reason', async () => {
    const f = await fake({ tools: 'leak' });
    const r = await checkEndpoint({ baseUrl: f.url });
    assert.equal(r.verdict, 'unhealthy');
    assert.equal(statuses(r)['tool-call'], 'fail');
    assert.match(detail(r, 'tool-call'), /leaked into the content as \[TOOL_CALLS\] text.*--tool-call-parser mistral/);
  });

  it('malformed SSE fails streaming', async () => {
    const f = await fake({ sse: 'malformed' });
    const r = await checkEndpoint({ baseUrl: f.url });
    assert.equal(r.verdict, 'unhealthy');
    assert.equal(statuses(r).streaming, 'fail');
    assert.match(detail(r, 'streaming'), /line \d+: the data is not JSON/);
    assert.equal(statuses(r)['tool-call'], 'pass', 'the other checks still run');
  });

  it('an API key: missing -> models fails saying so and the rest is skipped; wrong -> refused; right -> healthy', async () => {
    const f = await fake({ apiKey: 'sekret' });
    const none = await checkEndpoint({ baseUrl: f.url });
    assert.equal(none.verdict, 'unhealthy');
    assert.equal(statuses(none).models, 'fail');
    assert.match(detail(none, 'models'), /HTTP 401: the server needs an API key: give --api-key or set OPENAI_API_KEY/);
    assert.equal(statuses(none).chat, 'skip');
    assert.match(detail(await checkEndpoint({ baseUrl: f.url, apiKey: 'wrong' }), 'models'), /the API key was refused/);
    assert.equal((await checkEndpoint({ baseUrl: f.url, apiKey: 'sekret' })).verdict, 'healthy');
  });

  it('a server that dies mid-stream: streaming fails, later checks find it gone; unhealthy, not unreachable', async () => {
    const f = await fake({ sse: 'die' });
    const r = await checkEndpoint({ baseUrl: f.url });
    assert.equal(r.verdict, 'unhealthy');
    assert.equal(statuses(r).streaming, 'fail');
    assert.match(detail(r, 'streaming'), /the stream broke after 2 chunks: the server closed the connection/);
    assert.equal(statuses(r)['tool-call'], 'fail');
    assert.match(detail(r, 'tool-call'), /connection refused/);
  });

  it('several models: fails with the list unless --model picks one', async () => {
    const f = await fake({ models: ['a', 'b'] });
    const r = await checkEndpoint({ baseUrl: f.url });
    assert.equal(r.verdict, 'unhealthy');
    assert.match(detail(r, 'models'), /2 models and no --model to choose one: a, b/);
    const picked = await checkEndpoint({ baseUrl: f.url, model: 'b' });
    assert.equal(picked.verdict, 'healthy');
    assert.equal(picked.model, 'b');
    assert.match(detail(await checkEndpoint({ baseUrl: f.url, model: 'c' }), 'models'), /c is not served; the server lists: a, b/);
  });

  it('the caller\'s signal aborts the check', async () => {
    const f = await fake({});
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(checkEndpoint({ baseUrl: f.url, signal: controller.signal }), /stop/);
  });
});

describe('waitForReady', () => {
  it('vLLM: connection refused while loading counts as "not yet", then ready', async () => {
    const port = await freePort();
    const states: string[] = [];
    const result = await waitForReady({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      deadlineMs: 30_000,
      onAttempt: (state) => {
        states.push(state);
        // The server starts listening after the first refused attempt.
        if (states.length === 1) void fake({ health: 'vllm' }, port);
      },
    });
    assert.equal(result, 'ready');
    assert.equal(states[0], 'refused');
  });

  it('llama-server: 503 loading, then ready', async () => {
    const f = await fake({ health: 'loading' });
    const seen: string[] = [];
    const result = await waitForReady({
      baseUrl: f.url,
      deadlineMs: 30_000,
      onAttempt: (state, detail) => {
        seen.push(`${state}: ${detail}`);
        f.behaviour.health = 'ok';
      },
    });
    assert.equal(result, 'ready');
    assert.deepEqual(seen, ['loading: Loading model']);
  });

  it('a server without /health is ready when /v1/models answers', async () => {
    const f = await fake({ health: 'none' });
    assert.equal(await waitForReady({ baseUrl: f.url, deadlineMs: 5000, onAttempt: () => assert.fail('ready at once') }), 'ready');
  });

  it('timeout, dead and abort', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}`;
    assert.equal(await waitForReady({ baseUrl, deadlineMs: 300 }), 'timeout');
    assert.equal(await waitForReady({ baseUrl, deadlineMs: 30_000, isAlive: () => false }), 'dead');
    let alive = true;
    assert.equal(await waitForReady({ baseUrl, deadlineMs: 30_000, isAlive: () => alive, onAttempt: () => (alive = false) }), 'dead');
    const controller = new AbortController();
    const waiting = waitForReady({ baseUrl, deadlineMs: 30_000, signal: controller.signal, onAttempt: () => controller.abort(new Error('cancelled')) });
    await assert.rejects(waiting, /cancelled/);
  });
});
