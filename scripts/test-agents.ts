/**
 * `npm run test:agents` (not in CI: it installs from the npm registry): Claude Code and Codex, installed from npm
 * into a temporary prefix, each started by `devstral launch` for one turn and then a second turn of the same
 * conversation against `devstral serve` on a tiny model with Mistral's real 131k vocabulary, with a fresh HOME, telemetry off and only
 * 127.0.0.1 to talk to. The second turn must read most of its prompt from the cache. Prints wall time, prefill
 * time and cache figures for each request, from the server's log.
 *
 * CLAUDE_CODE_VERSION and CODEX_VERSION choose the versions (default: those the request fixtures were recorded with).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe } from '../test/support/startServe.ts';
import { writeTinyGguf } from '../test/support/writeTinyGguf.ts';

const CLAUDE = process.env.CLAUDE_CODE_VERSION ?? '2.1.197';
const CODEX = process.env.CODEX_VERSION ?? '0.171.0';
const KEY = 'agents-test-key';
const MODEL = 'devstral-small-1.1';
const OUTPUT = 512;
/** What `up --for claude` plans at least. */
const CONTEXT = 65536;
const devstral = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'devstral-agents-'));
const prefix = join(dir, 'prefix');
const started = Date.now();
const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs an agent with stdin closed (both wait for piped input otherwise). */
function run(file: string, args: string[], options: { env: Record<string, string>; cwd: string; timeoutMs: number }): Promise<{ code: number; out: string; err: string; ms: number }> {
  const t = Date.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), out, err, ms: Date.now() - t });
    });
  });
}

async function install(): Promise<void> {
  const t = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `@anthropic-ai/claude-code@${CLAUDE}`, `@openai/codex@${CODEX}`], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm install exited with ${code}`))));
  });
  console.log(`installed Claude Code ${CLAUDE} and Codex ${CODEX} in ${elapsed(t)}`);
}

/** The last line an agent printed, to say how its turn ended. */
const lastLine = (r: { out: string; err: string }) => (r.out.trim() || r.err.trim()).split('\n').at(-1)!.slice(0, 160);

/** The server's per-request lines since `from` (stderr offset). */
function requests(stderr: string, from: number): string[] {
  return stderr.slice(from).split('\n').filter((l) => /prompt tokens \(\d+ cached\)/.test(l)).map((l) => l.replace(/^devstral serve: info: /, ''));
}

function cachedOf(line: string): { prompt: number; cached: number } {
  const m = /(\d+) prompt tokens \((\d+) cached\)/.exec(line)!;
  return { prompt: Number(m[1]), cached: Number(m[2]) };
}

async function main(): Promise<void> {
  await install();
  const model = join(dir, 'tekken-tiny.gguf');
  // endTurns: a random-weight model that ends its turns after some tens of tokens, as agents expect a model to.
  await writeTinyGguf(model, { vocabulary: 'tekken', tensorType: 'F16', contextLength: 131072, endTurns: 0.56 });
  // The server registers itself in this state dir; `devstral launch` finds it there, as after `devstral up`.
  process.env.DEVSTRAL_STATE_DIR = join(dir, 'state');
  const server = await startServe(['--model', model, '--threads', '2', '--ctx', String(CONTEXT), '--max-tokens-default', String(OUTPUT), '--api-key', KEY, '--served-model-name', MODEL]);
  const serverName = `serve-${new URL(server.origin).port}`;
  const base = {
    PATH: `${join(prefix, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    SHELL: '/bin/bash',
    DEVSTRAL_STATE_DIR: process.env.DEVSTRAL_STATE_DIR,
  };
  // Each agent runs through `devstral launch AGENT -- ARGS`: the settings are launch's own, as a user gets them.
  const launch = (agent: string, args: string[]) => [devstral, 'launch', agent, '--name', serverName, '--', ...args];
  const failures: string[] = [];
  const turns = async (name: string, agent: string, env: Record<string, string>, cwd: string, runs: (readonly [string, string[]])[]) => {
    for (const [turn, args] of runs) {
      const from = server.stderr().length;
      const r = await run(process.execPath, launch(agent, args), { env, cwd, timeoutMs: 300_000 });
      const lines = requests(server.stderr(), from);
      const check = /ready for .*\(checked in \d+ ms\)/.exec(r.err)?.[0];
      console.log(`\n${name} ${turn} (devstral launch ${agent}): exit ${r.code}, ${(r.ms / 1000).toFixed(1)} s wall, ${lines.length} request(s); ${check ?? 'no readiness line'}; last line: ${lastLine(r)}`);
      for (const line of lines) console.log(`  ${line}`);
      if (r.code !== 0) failures.push(`${name} ${turn} exited ${r.code}: ${r.err.slice(-500)}`);
      if (lines.length === 0) failures.push(`${name} ${turn} sent no request to the server`);
      if (turn === 'turn 2') {
        const best = Math.max(0, ...lines.map((l) => cachedOf(l).cached / cachedOf(l).prompt));
        if (!(best > 0.5)) failures.push(`${name} turn 2 read ${(best * 100).toFixed(0)}% of its prompt from the cache`);
      }
    }
  };
  try {
    // Claude Code: Anthropic Messages. Telemetry and updates off: only 127.0.0.1 to talk to.
    const claudeHome = join(dir, 'home-claude');
    const claudeWork = join(dir, 'work-claude');
    mkdirSync(claudeHome, { recursive: true });
    mkdirSync(claudeWork, { recursive: true });
    const claudeEnv = { ...base, HOME: claudeHome, DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
    await turns('Claude Code', 'claude', claudeEnv, claudeWork, [['turn 1', ['-p', 'say hi']], ['turn 2', ['-p', '-c', 'and once more']]]);

    // Codex: OpenAI Responses, configured by launch's -c overrides only (its config.toml is never written).
    const codexHome = join(dir, 'home-codex');
    const codexWork = join(dir, 'work-codex');
    mkdirSync(join(codexHome, '.codex'), { recursive: true });
    mkdirSync(codexWork, { recursive: true });
    writeFileSync(join(codexWork, 'notes.txt'), 'hello\n');
    const codexEnv = { ...base, HOME: codexHome, CODEX_HOME: join(codexHome, '.codex') };
    const quiet = ['-c', 'check_for_update_on_startup=false'];
    await turns('Codex', 'codex', codexEnv, codexWork, [
      ['turn 1', [...quiet, 'exec', '--skip-git-repo-check', 'say hi']],
      ['turn 2', [...quiet, 'exec', '--skip-git-repo-check', 'resume', '--last', 'and once more']],
    ]);
    if (existsSync(join(codexHome, '.codex', 'config.toml'))) failures.push('Codex: a config.toml was written');
  } finally {
    await server.stop();
  }
  console.log(`\n${failures.length ? `FAILED:\n  ${failures.join('\n  ')}` : 'both agents completed both turns; second turns read their prefix from the cache'} (${elapsed(started)} in all; scratch: ${dir})`);
  process.exitCode = failures.length ? 1 : 0;
}

await main();
