/**
 * `devstral launch` and `devstral connect` against a live `devstral serve`: stand-in agents on PATH record the argv
 * and environment they were run with; the test then uses those settings, parsed as the agents parse them, with the
 * official clients. The user's own config files must be byte-identical afterwards.
 */
import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
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

  it('Qwen Code: its OpenAI variables, and a system settings file of ours with the window (above the user\'s settings)', async () => {
    const r = await cli(['launch', 'qwen']);
    assert.equal(r.code, 0, r.err);
    const { env } = recorded('qwen');
    const settings = JSON.parse(readFileSync(env.QWEN_CODE_SYSTEM_SETTINGS_PATH!, 'utf8'));
    assert.deepEqual(settings, { $version: 4, model: { name: SERVED, generationConfig: { contextWindowSize: 65536 } } });
    assert.ok(!env.QWEN_CODE_SYSTEM_SETTINGS_PATH!.startsWith(home), 'not in the user\'s home');
    assert.equal(env.QWEN_CODE_MAX_OUTPUT_TOKENS, '16384');
    const client = new OpenAI({ baseURL: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY });
    const c = await client.chat.completions.create({ model: env.OPENAI_MODEL!, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });
    assert.equal(c.model, SERVED);
  });

  it('opencode: a provider file of ours through OPENCODE_CONFIG, the model pinned in OPENCODE_CONFIG_CONTENT', async () => {
    const r = await cli(['launch', 'opencode', '--', 'run', 'hi']);
    assert.equal(r.code, 0, r.err);
    const { argv, env } = recorded('opencode');
    assert.deepEqual(argv, ['run', 'hi']);
    const pinned = JSON.parse(env.OPENCODE_CONFIG_CONTENT!) as { model: string; small_model: string };
    const config = JSON.parse(readFileSync(env.OPENCODE_CONFIG!, 'utf8')) as {
      provider: Record<string, { npm: string; options: { baseURL: string; apiKey: string }; models: Record<string, { limit: { context: number; output: number }; tool_call: boolean }> }>;
    };
    const [providerId, modelId] = pinned.model.split('/') as [string, string];
    assert.equal(pinned.small_model, pinned.model);
    const provider = config.provider[providerId]!;
    assert.equal(provider.npm, '@ai-sdk/openai-compatible');
    assert.deepEqual(provider.models[modelId], { name: SERVED, tool_call: true, limit: { context: 65536, output: 16384 } });
    // opencode substitutes {env:NAME} in strings.
    const apiKey = provider.options.apiKey.replace(/^\{env:(\w+)\}$/, (_, name: string) => env[name]!);
    const client = new OpenAI({ baseURL: provider.options.baseURL, apiKey });
    const c = await client.chat.completions.create({ model: modelId, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });
    assert.equal(c.model, SERVED);
  });

  it('--write is refused for agents launch runs: it writes none of their files', async () => {
    const r = await cli(['launch', 'codex', '--write']);
    assert.equal(r.code, 2);
    assert.match(r.err, /runs Codex with these settings and writes none of your files/);
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

/** Chat through the settings an agent would read, with the official client: they must really work. */
async function chatWith(baseURL: string, apiKey: string, model: string) {
  const c = await new OpenAI({ baseURL, apiKey }).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });
  assert.equal(c.model, SERVED);
}

describe('devstral launch: editor and config-file agents', () => {
  const writeHome = join(dir, 'write-home');
  const inHome = (path: string) => join(writeHome, path);
  const withHome = { HOME: writeHome };
  const backups = (path: string) => readdirSync(join(path, '..')).filter((f) => f.startsWith(`${path.split('/').at(-1)}.devstral-backup-`));
  const original: Record<string, string> = {
    '.continue/config.yaml': '# my models\nname: Mine\nversion: 1.0.0\nschema: v1\nmodels:\n  - name: GPT # keep this\n    provider: openai\n    model: gpt-4o\n',
    '.vibe/config.toml': 'active_model = "local"\nvim_keybindings = true\n\n[[models]]\nname = "devstral"\nprovider = "llamacpp"\nalias = "local"\n',
    '.aider.conf.yml': 'dark-mode: true\n',
  };
  before(() => {
    for (const [path, content] of Object.entries(original)) {
      mkdirSync(join(inHome(path), '..'), { recursive: true });
      writeFileSync(inHome(path), content);
    }
  });

  it('without --write: the settings printed, no file touched', async () => {
    for (const agent of ['continue', 'cline', 'aider', 'openhands', 'vibe']) {
      const r = await cli(['launch', agent], withHome);
      assert.equal(r.code, 0, r.err);
      assert.ok(r.out.includes(SERVED) && r.out.includes(`${server.origin}/v1`), r.out);
    }
    for (const [path, content] of Object.entries(original)) assert.equal(readFileSync(inHome(path), 'utf8'), content);
    assert.equal(existsSync(inHome('.cline')), false);
  });

  it('Continue --write: our model added to config.yaml, the user\'s models and comments kept, a byte-exact backup', async () => {
    const r = await cli(['launch', 'continue', '--write'], withHome);
    assert.equal(r.code, 0, r.err);
    const path = inHome('.continue/config.yaml');
    const [backup] = backups(path);
    assert.equal(readFileSync(join(path, '..', backup!), 'utf8'), original['.continue/config.yaml']);
    assert.match(r.err, /to undo: mv /);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /# my models[\s\S]*# keep this/);
    const config = parseYaml(text) as { name: string; models: { name: string; model: string; apiBase: string; apiKey: string; provider: string; defaultCompletionOptions: { contextLength: number } }[] };
    assert.equal(config.name, 'Mine');
    assert.deepEqual(config.models.map((m) => m.model), ['gpt-4o', SERVED]);
    const ours = config.models[1]!;
    assert.equal(ours.provider, 'openai');
    assert.equal(ours.defaultCompletionOptions.contextLength, 65536);
    await chatWith(ours.apiBase, ours.apiKey, ours.model);
    // Again: nothing changes, no second backup.
    const again = await cli(['launch', 'continue', '--write'], withHome);
    assert.match(again.err, /already has these settings/);
    assert.equal(readFileSync(path, 'utf8'), text);
    assert.equal(backups(path).length, 1);
  });

  it('Mistral Vibe --write: a provider and model block, active_model switched, the rest of config.toml kept', async () => {
    const r = await cli(['launch', 'vibe', '--write'], withHome);
    assert.equal(r.code, 0, r.err);
    const path = inHome('.vibe/config.toml');
    assert.equal(readFileSync(join(path, '..', backups(path)[0]!), 'utf8'), original['.vibe/config.toml']);
    const config = parseToml(readFileSync(path, 'utf8')) as { active_model: string; vim_keybindings: boolean; providers: { name: string; api_base: string; api_key_env_var: string }[]; models: { name: string; provider: string; alias: string; auto_compact_threshold?: number }[] };
    assert.equal(config.vim_keybindings, true);
    const model = config.models.find((m) => m.alias === config.active_model)!;
    assert.equal(model.name, SERVED);
    assert.ok(model.auto_compact_threshold! < 65536);
    assert.ok(config.models.some((m) => m.alias === 'local'), 'the user\'s model kept');
    const provider = config.providers.find((p) => p.name === model.provider)!;
    // The key stays out of the file: Vibe reads it from the variable named here.
    assert.equal(provider.api_key_env_var, 'DEVSTRAL_API_KEY');
    assert.match(r.out, /export DEVSTRAL_API_KEY=sk-launch-test/);
    await chatWith(provider.api_base, KEY, model.name);
    await cli(['launch', 'vibe', '--write'], withHome);
    assert.equal((parseToml(readFileSync(path, 'utf8')) as { models: unknown[] }).models.length, 2, 'a second write replaces its block');
  });

  it('Aider --write: model, base URL and key in .aider.conf.yml; the window in its model metadata file', async () => {
    const r = await cli(['launch', 'aider', '--write'], withHome);
    assert.equal(r.code, 0, r.err);
    const conf = parseYaml(readFileSync(inHome('.aider.conf.yml'), 'utf8')) as Record<string, string | boolean>;
    assert.equal(conf['dark-mode'], true);
    const meta = JSON.parse(readFileSync(inHome('.aider.model.metadata.json'), 'utf8')) as Record<string, { max_input_tokens: number; litellm_provider: string }>;
    const model = String(conf.model);
    assert.equal(meta[model]!.max_input_tokens, 65536);
    assert.equal(meta[model]!.litellm_provider, 'openai');
    await chatWith(String(conf['openai-api-base']), String(conf['openai-api-key']), model.replace(/^openai\//, ''));
    assert.match(r.err, /\.aider\.model\.metadata\.json; it did not exist \(to undo: rm /);
  });

  it('Cline --write: the CLI\'s providers.json', async () => {
    const r = await cli(['launch', 'cline', '--write'], withHome);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(readFileSync(inHome('.cline/data/settings/providers.json'), 'utf8')) as { lastUsedProvider: string; providers: Record<string, { settings: { baseUrl: string; apiKey: string; model: string } }> };
    const { settings } = doc.providers[doc.lastUsedProvider]!;
    await chatWith(settings.baseUrl, settings.apiKey, settings.model);
  });

  it('OpenHands --write is refused with the reason; a config file that does not parse is never rewritten', async () => {
    const openhands = await cli(['launch', 'openhands', '--write'], withHome);
    assert.equal(openhands.code, 2);
    assert.match(openhands.err, /OpenHands keeps its settings/);
    const broken = 'models: [unclosed\n';
    const path = inHome('.continue/config.yaml');
    writeFileSync(path, broken);
    const before = backups(path).length;
    const r = await cli(['launch', 'continue', '--write'], withHome);
    assert.equal(r.code, 2);
    assert.match(r.err, /config\.yaml is not valid YAML .*devstral did not change it/);
    assert.equal(readFileSync(path, 'utf8'), broken);
    assert.equal(backups(path).length, before);
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

  it('--yes starts one planned for the agent (up --for), then runs the agent on it', async (t) => {
    const state = { DEVSTRAL_STATE_DIR: join(dir, 'started-state') };
    t.after(() => cli(['down', '--all'], state));
    const r = await cli(['launch', 'claude', '--yes', '--model', join(dir, 'tiny.gguf')], { ...state, STANDIN_EXIT: '0' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Ready: llamacpp serves/);
    assert.match(r.err, /devstral is ready for Claude Code/);
    const { env } = recorded('claude');
    assert.equal(env.CLAUDE_CODE_MAX_CONTEXT_TOKENS, '65536');
    const status = JSON.parse((await cli(['status', '--json'], state)).out) as { name: string; state: string }[];
    assert.deepEqual(status.map((s) => [s.name, s.state]), [['devstral', 'ready']]);
  });
});
