/**
 * `devstral up` with vLLM and Ollama, through stand-in executables on PATH (test/fixtures/standins) and a fake
 * Hugging Face hub: the argv they get, waiting while they load, diagnoses of their failures, the retry.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { randomSha, startFakeHfServer, type FakeHfServer } from '../support/fakeHfServer.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const standins = fileURLToPath(new URL('../fixtures/standins', import.meta.url));
let hub: FakeHfServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'devstral-up-rt-'));
  const main = randomSha();
  hub = await startFakeHfServer({
    repos: {
      'mistralai/Devstral-Small-2507': {
        revisions: { main },
        files: [
          { path: 'params.json', lfs: false, content: Buffer.from('{"dim":5120}') },
          { path: 'tekken.json', lfs: false, content: Buffer.from('{}') },
          { path: 'consolidated.safetensors', lfs: true, content: Buffer.from('weights stand-in') },
          { path: 'SYSTEM_PROMPT.txt', lfs: false, content: Buffer.from('You are Devstral') },
        ],
      },
    },
  });
});
after(() => hub.close());

function up(name: string, extraEnv: Record<string, string>, ...args: string[]) {
  const argvLog = join(dir, `${name}.argv`);
  const env = {
    ...process.env,
    PATH: `${standins}${delimiter}${process.env.PATH}`,
    DEVSTRAL_STATE_DIR: join(dir, 'state'),
    HF_ENDPOINT: hub.url,
    HF_HUB_CACHE: join(dir, 'hf'),
    HF_TOKEN: '',
    STANDIN_ARGV_LOG: argvLog,
    OLLAMA_HOST: '127.0.0.1:9',
    ...extraEnv,
  };
  return new Promise<{ code: number; out: string; err: string; calls: { argv?: string[]; env?: Record<string, string>; api?: string; request?: { parameters?: { num_ctx?: number } } }[] }>((resolve) => {
    execFile(process.execPath, [bin, 'up', '--yes', '--port', 'auto', '--name', name, ...args], { env, encoding: 'utf8', timeout: 120_000 }, (error, out, err) => {
      const calls = existsSync(argvLog) ? readFileSync(argvLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err, calls });
    });
  });
}

function down(name: string) {
  return new Promise<number>((resolve) => execFile(process.execPath, [bin, 'down', name], { env: { ...process.env, DEVSTRAL_STATE_DIR: join(dir, 'state') } }, (e) => resolve(e ? 1 : 0)));
}

/** The base URL up reports answers all three protocols (the gateway in front of the runtime). */
async function speaksAllThree(baseUrl: string, model: string): Promise<void> {
  const openai = new OpenAI({ baseURL: baseUrl, apiKey: 'none', maxRetries: 0 });
  assert.equal((await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })).choices[0]!.message.content, 'Hello from the stand-in.');
  assert.equal((await openai.responses.create({ model, input: 'hi' })).output_text, 'Hello from the stand-in. ');
  const anthropic = new Anthropic({ baseURL: baseUrl.replace(/\/v1$/, ''), apiKey: 'none', maxRetries: 0 });
  const message = await anthropic.messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal((message.content[0] as Anthropic.TextBlock).text, 'Hello from the stand-in. ');
}

describe('devstral up with vLLM (stand-in)', () => {
  it('runs the planned vllm serve, waits while it loads, smoke-tests it, and reports how to connect', async (t) => {
    t.after(() => down('v1'));
    const r = await up('v1', { STANDIN_DELAY_MS: '3000' }, '--hardware', '1x-h100-80gb', '--detach', '--json');
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out);
    assert.equal(summary.runtime, 'vllm');
    assert.equal(summary.model, 'devstral-small-1.1');
    const argv = r.calls[0]!.argv!;
    assert.deepEqual(argv.slice(0, 2), ['serve', 'mistralai/Devstral-Small-2507']);
    for (const flag of ['--tokenizer-mode', '--config-format', '--load-format', '--tool-call-parser', '--enable-auto-tool-choice']) assert.ok(argv.includes(flag), flag);
    assert.equal(argv[argv.indexOf('--max-model-len') + 1], '131072');
    assert.match(r.err, /loading: Loading safetensors checkpoint shards/);
    assert.match(r.err, /This downloads [\d.]+ GiB \(hf:mistralai\/Devstral-Small-2507\) into the Hugging Face cache/, 'the size is said before the download');
    assert.ok(existsSync(join(dir, 'hf', 'models--mistralai--Devstral-Small-2507', 'snapshots')), 'the weights were pulled into the HF cache first');
    assert.notEqual(argv[argv.indexOf('--port') + 1], new URL(summary.baseUrl).port, 'vLLM listens behind the gateway');
    assert.equal(argv[argv.indexOf('--host') + 1], '127.0.0.1');
    await speaksAllThree(summary.baseUrl, summary.model);
    assert.equal(await down('v1'), 0);
    assert.equal(await fetch(`http://127.0.0.1:${argv[argv.indexOf('--port') + 1]}/v1/models`).then((x) => x.status, () => 0), 0, 'down stopped vLLM too');
  });

  it('a KV cache too small for the context is diagnosed with the context that fits; --auto-retry uses it', async (t) => {
    t.after(() => Promise.all([down('v2'), down('v3')]));
    const failed = await up('v2', { STANDIN_MODE: 'kv' }, '--hardware', '1x-h100-80gb', '--detach');
    assert.equal(failed.code, 7);
    assert.match(failed.err, /The weights are already in the Hugging Face cache/);
    assert.match(failed.err, /KV cache holds only 61200 tokens/);
    assert.match(failed.err, /estimated maximum model length is 61200/, 'quotes the log line');
    assert.match(failed.err, /--ctx 60416/);
    const retried = await up('v3', { STANDIN_MODE: 'kv' }, '--hardware', '1x-h100-80gb', '--detach', '--auto-retry', '--json');
    assert.equal(retried.code, 0, retried.err);
    const second = retried.calls[1]!.argv!;
    assert.equal(second[second.indexOf('--max-model-len') + 1], '60416');
    assert.equal(await down('v3'), 0);
  });

  it('CUDA out of memory and an old mistral_common are explained', async () => {
    const oom = await up('v4', { STANDIN_MODE: 'oom' }, '--hardware', '1x-h100-80gb', '--detach');
    assert.equal(oom.code, 7);
    assert.match(oom.err, /ran out of memory/);
    assert.match(oom.err, /CUDA out of memory/);
    const v13 = await up('v5', { STANDIN_MODE: 'v13' }, '--hardware', '1x-h100-80gb', '--detach');
    assert.match(v13.err, /mistral_common is too old[\s\S]*mistral_common>=1\.7\.0/);
  });

  it('no vllm installed says how to install it', async () => {
    const r = await up('v6', { PATH: `${join(process.execPath, '..')}` }, '--hardware', '1x-h100-80gb', '--detach');
    assert.equal(r.code, 5);
    assert.match(r.err, /pip install -U vllm[\s\S]*--format docker/);
  });
});

describe('Ctrl-C while devstral up downloads', () => {
  it('says the download stopped, nothing was started, and what was kept', async () => {
    hub.setFault({ rateBytesPerSec: 2 });
    const child = spawn(process.execPath, [bin, 'up', '--yes', '--port', 'auto', '--name', 'dl', '--hardware', '1x-h100-80gb', '--detach'], {
      env: { ...process.env, PATH: `${standins}${delimiter}${process.env.PATH}`, DEVSTRAL_STATE_DIR: join(dir, 'state-dl'), HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(dir, 'hf-dl'), HF_TOKEN: '', OLLAMA_HOST: '127.0.0.1:9' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (d) => {
          err += d;
          if (/consolidated\.safetensors/.test(err) && /This downloads/.test(err)) resolve();
        });
        child.once('exit', () => reject(new Error(`up exited before the download:\n${err}`)));
      });
      await new Promise((r) => setTimeout(r, 1500));
      const code = await new Promise<number | null>((resolve) => {
        child.once('exit', (c) => resolve(c));
        child.kill('SIGINT');
      });
      assert.equal(code, 130, err);
      assert.match(err, /interrupted: the download of hf:mistralai\/Devstral-Small-2507 stopped; nothing was started/);
      assert.match(err, /downloaded so far are kept: devstral up \(or devstral pull\) resumes from there/);
    } finally {
      hub.setFault(undefined);
      child.kill('SIGKILL');
    }
  });
});

describe('devstral up with Ollama (stand-in)', () => {
  it('starts ollama serve with the planned context, pulls, creates the num_ctx model, smoke-tests it', async (t) => {
    t.after(() => down('o1'));
    const r = await up('o1', {}, '--runtime', 'ollama', '--hardware', 'rtx-4090', '--detach', '--json');
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out);
    assert.equal(summary.runtime, 'ollama');
    const start = r.calls.find((c) => c.env)!;
    assert.equal(start.env!.OLLAMA_CONTEXT_LENGTH, String(summary.contextLength));
    assert.equal(start.env!.OLLAMA_KEEP_ALIVE, '-1');
    assert.ok(r.calls.some((c) => c.api === 'pull'));
    assert.equal(r.calls.find((c) => c.api === 'create')!.request!.parameters!.num_ctx, summary.contextLength);
    assert.match(summary.model, /^devstral-small-1\.1-\d+k$/);
    await speaksAllThree(summary.baseUrl, summary.model);
    assert.equal(await down('o1'), 0);
  });
});
