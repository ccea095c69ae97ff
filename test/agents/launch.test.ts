/**
 * `devstral launch` and `devstral connect` against a live `devstral serve`: stand-in agents on PATH record the argv
 * and environment they were run with; the test then uses those settings, parsed as the agents parse them, with the
 * official clients. The user's own config files must be byte-identical afterwards.
 */
import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { parse as parseToml } from 'smol-toml';
import { startServe, type ServeProcess } from '../support/startServe.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const SERVED = 'devstral-small-1.1';
const KEY = 'sk-launch-test';
const dir = mkdtempSync(join(tmpdir(), 'devstral-launch-'));
const stateDir = join(dir, 'state');
const home = join(dir, 'home');
const agentsBin = join(dir, 'bin');
const records = join(dir, 'records');
let server: ServeProcess;

/** A stand-in for a terminal agent: records how it was started, exits with STANDIN_EXIT. */
const STANDIN = `#!/usr/bin/env node
const { writeFileSync } = require('node:fs');
const { basename, join } = require('node:path');
const name = basename(process.argv[1]);
writeFileSync(join(process.env.STANDIN_RECORDS, name + '.json'), JSON.stringify({ argv: process.argv.slice(2), env: process.env }));
process.exit(Number(process.env.STANDIN_EXIT ?? 0));
`;

/** The user's own files, which launch must never touch. */
const USER_FILES: Record<string, string> = {
  '.codex/config.toml': 'model = "gpt-5"\n# mine\n',
  '.claude/settings.json': '{ "model": "opus" }\n',
  '.config/opencode/opencode.json': '{ "$schema": "https://opencode.ai/config.json" }\n',
  '.qwen/settings.json': '{}\n',
};

function cli(args: string[], env: Record<string, string> = {}, stdin: 'ignore' | 'pipe' = 'ignore'): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: [stdin, 'pipe', 'pipe'],
      env: { ...process.env, HOME: home, DEVSTRAL_STATE_DIR: stateDir, PATH: `${agentsBin}:${process.env.PATH}`, STANDIN_RECORDS: records, ANTHROPIC_API_KEY: 'sk-ant-users-own', ...env },
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

const recorded = (name: string) => JSON.parse(readFileSync(join(records, `${name}.json`), 'utf8')) as { argv: string[]; env: Record<string, string> };

/** Codex's `-c key=value` overrides, read as Codex reads them: each value is TOML. */
function codexOverrides(argv: string[]): Record<string, unknown> {
  const doc: string[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === '-c') doc.push(argv[++i]!.replace('=', ' = '));
  return parseToml(doc.join('\n')) as Record<string, unknown>;
}

before(async () => {
  for (const d of [stateDir, agentsBin, records]) mkdirSync(d, { recursive: true });
  for (const [path, content] of Object.entries(USER_FILES)) {
    mkdirSync(join(home, path, '..'), { recursive: true });
    writeFileSync(join(home, path), content);
  }
  for (const name of ['claude', 'codex', 'qwen', 'opencode']) {
    writeFileSync(join(agentsBin, name), STANDIN);
    chmodSync(join(agentsBin, name), 0o755);
  }
  const model = join(dir, 'tiny.gguf');
  await writeTinyGguf(model, { contextLength: 131072 });
  process.env.DEVSTRAL_STATE_DIR = stateDir;
  server = await startServe(['--model', model, '--threads', '2', '--ctx', '65536', '--api-key', KEY, '--served-model-name', SERVED]);
});

after(async () => {
  await server?.stop();
  for (const [path, content] of Object.entries(USER_FILES)) assert.equal(readFileSync(join(home, path), 'utf8'), content, `${path} untouched`);
});

describe('devstral launch: terminal agents run with the server wired in', () => {
  it('Claude Code: Anthropic variables at the server root, every model alias the served id, the real window, no billing line', async () => {
    const r = await cli(['launch', 'claude', '--', '-p', 'hello world'], { STANDIN_EXIT: '3' });
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /ready for Claude Code: Anthropic Messages, a forced tool call, 65536 tokens of context/);
    const { argv, env } = recorded('claude');
    assert.deepEqual(argv, ['-p', 'hello world']);
    assert.equal(env.ANTHROPIC_BASE_URL, server.origin);
    assert.equal(env.ANTHROPIC_AUTH_TOKEN, KEY);
    assert.equal(env.ANTHROPIC_API_KEY, undefined, "the user's own Anthropic key would win over the token");
    for (const v of ['ANTHROPIC_MODEL', 'ANTHROPIC_DEFAULT_OPUS_MODEL', 'ANTHROPIC_DEFAULT_SONNET_MODEL', 'ANTHROPIC_DEFAULT_HAIKU_MODEL', 'ANTHROPIC_SMALL_FAST_MODEL']) assert.equal(env[v], SERVED, v);
    assert.equal(env.CLAUDE_CODE_MAX_CONTEXT_TOKENS, '65536');
    assert.equal(env.CLAUDE_CODE_MAX_OUTPUT_TOKENS, '16384');
    assert.equal(env.CLAUDE_CODE_ATTRIBUTION_HEADER, '0');
    // The settings work with Anthropic's own client, as Claude Code uses them.
    const client = new Anthropic({ baseURL: env.ANTHROPIC_BASE_URL, authToken: env.ANTHROPIC_AUTH_TOKEN, apiKey: null });
    const m = await client.messages.create({ model: env.ANTHROPIC_MODEL!, max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(m.model, SERVED);
  });

  it("Codex: the provider, model and window as -c overrides (TOML), plugins and analytics off; ~/.codex untouched", async () => {
    const r = await cli(['launch', 'codex', '--', 'exec', 'fix the bug']);
    assert.equal(r.code, 0, r.err);
    const { argv, env } = recorded('codex');
    assert.deepEqual(argv.slice(-2), ['exec', 'fix the bug']);
    const config = codexOverrides(argv) as {
      model_provider: string; model: string; model_context_window: number; model_auto_compact_token_limit: number;
      model_providers: { devstral: { base_url: string; env_key: string; wire_api: string } };
      features: { plugins: boolean }; analytics: { enabled: boolean };
    };
    assert.equal(config.model_provider, 'devstral');
    assert.equal(config.model, SERVED);
    assert.equal(config.model_context_window, 65536);
    assert.ok(config.model_auto_compact_token_limit < 65536);
    assert.deepEqual([config.features.plugins, config.analytics.enabled], [false, false]);
    const provider = config.model_providers.devstral;
    assert.equal(provider.wire_api, 'responses');
    assert.equal(provider.base_url, `${server.origin}/v1`);
    const client = new OpenAI({ baseURL: provider.base_url, apiKey: env[provider.env_key] });
    const res = await client.responses.create({ model: config.model, input: 'hi', max_output_tokens: 4 });
    assert.equal(res.model, SERVED);
  });

  it('Qwen Code: its OpenAI variables', async () => {
    const r = await cli(['launch', 'qwen']);
    assert.equal(r.code, 0, r.err);
    const { env } = recorded('qwen');
    const client = new OpenAI({ baseURL: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY });
    const c = await client.chat.completions.create({ model: env.OPENAI_MODEL!, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });
    assert.equal(c.model, SERVED);
  });

  it('an agent that is not installed: says how to install it', async () => {
    const r = await cli(['launch', 'qwen'], { PATH: '/nonexistent' });
    assert.equal(r.code, 5, r.err);
    assert.match(r.err, /qwen \(Qwen Code\) is not installed[\s\S]*npm install -g @qwen-code\/qwen-code/);
  });

  it('--print prints the settings instead of running the agent', async () => {
    const r = await cli(['launch', 'claude', '--print']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`ANTHROPIC_BASE_URL=${server.origin} `));
    assert.match(r.out, /ANTHROPIC_MODEL=devstral-small-1\.1/);
  });

  it('unknown agents and a wrong --name are usage errors', async () => {
    const unknown = await cli(['launch', 'vim']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown agent "vim"/);
    const name = await cli(['launch', 'claude', '--name', 'nope']);
    assert.equal(name.code, 2);
    assert.match(name.err, /no server named nope is running[\s\S]*running: serve-\d+/);
  });
});

describe('devstral connect', () => {
  it('--json: every agent, each pointing at the server with the served id', async () => {
    const r = await cli(['connect', '--json']);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as { server: { baseUrl: string; model: string; contextLength: number }; agents: { id: string; text: string }[] };
    assert.equal(doc.server.baseUrl, `${server.origin}/v1`);
    assert.equal(doc.server.contextLength, 65536);
    assert.deepEqual(doc.agents.map((a) => a.id), ['claude', 'codex', 'opencode', 'qwen', 'continue', 'cline', 'aider', 'openhands', 'vibe']);
    for (const agent of doc.agents) assert.ok(agent.text.includes(SERVED), `${agent.id} names the served id`);
  });
});

describe('before handing over', () => {
  let small: ServeProcess;
  before(async () => {
    small = await startServe(['--model', join(dir, 'tiny.gguf'), '--threads', '1', '--ctx', '16384', '--served-model-name', SERVED]);
  });
  after(() => small?.stop());

  it('a context too small for the agent refuses with the fix; --force launches with a warning', async () => {
    const name = `serve-${new URL(small.origin).port}`;
    const refused = await cli(['launch', 'claude', '--name', name]);
    assert.equal(refused.code, 9, refused.err);
    assert.match(refused.err, /not ready for Claude Code[\s\S]*context is 16384 tokens; Claude Code sends about 20000[\s\S]*devstral up --for claude/);
    const forced = await cli(['launch', 'claude', '--name', name, '--force']);
    assert.equal(forced.code, 0, forced.err);
    assert.match(forced.err, /warning: the server's context is 16384/);
    assert.equal(recorded('claude').env.CLAUDE_CODE_MAX_CONTEXT_TOKENS, '16384');
  });

  it('two servers running and no --name: says which to choose', async () => {
    const r = await cli(['launch', 'codex']);
    assert.equal(r.code, 2);
    assert.match(r.err, /2 servers are running[\s\S]*--name/);
  });
});

describe('no server running', () => {
  it('without a terminal it refuses, naming the command that starts one', async () => {
    const r = await cli(['launch', 'claude'], { DEVSTRAL_STATE_DIR: join(dir, 'empty-state') });
    assert.equal(r.code, 2);
    assert.match(r.err, /no server is running[\s\S]*devstral up --for claude --detach/);
    assert.equal(existsSync(join(dir, 'empty-state', 'servers')), false);
  });
});
