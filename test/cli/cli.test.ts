/** The built CLI as a user runs it: real child processes of dist/cli/main.js. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'devstral-cli-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent', OLLAMA_HOST: '127.0.0.1:9' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('devstral CLI', () => {
  it('--version and --help', () => {
    assert.match(run('--version').out, /^\d+\.\d+\.\d+\n$/);
    const help = run('--help');
    assert.equal(help.code, 0);
    for (const c of ['detect', 'plan', 'command', 'profiles']) assert.match(help.out, new RegExp(`devstral ${c}`));
    assert.match(run('plan', '--help').out, /--min-ctx/);
  });

  it('--for AGENT plans that agent\'s context; a machine short of it names the smallest one that reaches it', () => {
    const ok = run('plan', '--json', '--hardware', 'rtx-4090', '--for', 'claude');
    assert.equal(ok.code, 0, ok.err);
    assert.ok(JSON.parse(ok.out).contextLength >= 65536);
    const short = run('plan', '--hardware', 'apple-m3-pro-18gb', '--for', 'codex');
    assert.equal(short.code, 4);
    assert.match(short.err, /what Codex needs/);
    assert.match(short.err, /smallest reference machine that can: apple-m2-max-32gb .*devstral plan --hardware apple-m2-max-32gb --for codex/);
    const unknown = run('plan', '--hardware', 'rtx-4090', '--for', 'vim');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown agent "vim"[\s\S]*claude, codex/);
    const clash = run('plan', '--hardware', 'rtx-4090', '--for', 'claude', '--ctx', '32k');
    assert.equal(clash.code, 2);
    assert.match(clash.err, /--ctx 32768 is smaller than the 65536 tokens Claude Code needs \(--for\)/);
  });

  it('--nodes: command prints every node\'s command; up, which runs on this machine only, refuses it', () => {
    const command = run('command', '--model', 'devstral-2', '--hardware', '4x-h100-80gb', '--nodes', '2');
    assert.equal(command.code, 0, command.err);
    assert.match(command.out, /# node 0 \(the head[\s\S]*--node-rank 0 --master-addr "\$HEAD_ADDR"\n[\s\S]*# node 1:\n.*--node-rank 1 --master-addr "\$HEAD_ADDR" --headless/);
    const up = run('up', '--model', 'devstral-2', '--hardware', '4x-h100-80gb', '--nodes', '2', '--dry-run');
    assert.equal(up.code, 2);
    assert.match(up.err, /up starts a server on this machine only[\s\S]*devstral command --nodes N/);
    assert.equal(run('plan', '--hardware', 'apple-m3-max-128gb', '--nodes', '2').code, 2);
  });

  it('plan --json prints the design shape for a hardware profile', () => {
    const r = run('plan', '--json', '--hardware', '2x-a100-80gb');
    assert.equal(r.code, 0, r.err);
    const plan = JSON.parse(r.out);
    for (const key of ['model', 'runtime', 'artifact', 'contextLength', 'tensorParallelSize', 'gpuLayers', 'kvCacheType', 'memory', 'command', 'reasons', 'warnings', 'alternatives']) {
      assert.ok(key in plan, key);
    }
    assert.deepEqual(
      { runtime: plan.runtime, tp: plan.tensorParallelSize, ctx: plan.contextLength, source: plan.artifact.source },
      { runtime: 'vllm', tp: 2, ctx: 131072, source: 'hf:mistralai/Devstral-Small-2507' },
    );
    assert.deepEqual(Object.keys(plan.memory).slice(0, 4), ['weightsBytes', 'kvCacheBytes', 'overheadBytes', 'budgetBytes']);
    assert.equal(plan.command.argv[0], 'vllm');
  });

  it('plan explains itself in text', () => {
    const r = run('plan', '--hardware', 'laptop-8gb-gpu-32gb-ram');
    assert.equal(r.code, 0, r.err);
    for (const part of ['runtime', 'GPU layers', 'Why', 'Warnings', 'partial offload', 'Not chosen', 'Command', 'devstral serve']) assert.ok(r.out.includes(part), part);
  });

  it('plans for this machine by detecting it: a plan, or a refusal that says why (both as JSON)', () => {
    const r = run('plan', '--json');
    assert.ok(r.code === 0 || r.code === 4, r.err);
    const doc = JSON.parse(r.out) as { runtime?: string; contextLength?: number; error?: { code: string; message: string; hint?: string } };
    if (r.code === 0) {
      assert.ok(['vllm', 'llamacpp', 'ollama'].includes(doc.runtime!));
      assert.ok(doc.contextLength! > 0);
    } else {
      assert.equal(doc.error!.code, 'noPlan');
      assert.match(doc.error!.message, /does not fit|cannot run/);
      assert.ok(doc.error!.hint);
    }
  });

  it('command: vLLM shell and docker forms, llama.cpp with llama-server, JSON', () => {
    const shell = run('command', '--runtime', 'vllm', '--hardware', '2x-a100-80gb', '--port', '9000', '--api-key', "it's$ecret");
    assert.equal(shell.code, 0, shell.err);
    assert.match(shell.out, /^VLLM_API_KEY='it'\\''s\$ecret' vllm serve mistralai\/Devstral-Small-2507 .*--tensor-parallel-size 2 .*--port 9000\n$/);
    const docker = run('command', '--format', 'docker', '--hardware', '1x-h100-80gb');
    assert.match(docker.out, /^docker run --rm --gpus all --ipc=host -p 127\.0\.0\.1:8000:8000 .*vllm\/vllm-openai:latest mistralai\/Devstral-Small-2507 /);
    const llama = run('command', '--hardware', 'rtx-4090');
    assert.match(llama.out, /^devstral serve .*\n# or, with llama\.cpp's own server:\nllama-server .*--jinja/);
    const json = JSON.parse(run('command', '--format', 'json', '--hardware', 'rtx-4090').out);
    assert.equal(json.runtime, 'llamacpp');
    assert.equal(json.llamaServer.argv[0], 'llama-server');
  });

  it('profiles list, show, validate', () => {
    assert.match(run('profiles', 'list').out, /devstral-small-1\.1[\s\S]*rtx-4090/);
    assert.match(run('profiles', 'show', 'devstral').out, /^id: devstral-small-1\.1/m);
    const good = join(tmp, 'good.yaml');
    writeFileSync(good, 'os: linux\narch: x64\ncpu: { model: x, cores: 4 }\nmemory: { totalMiB: 16384 }\ngpus: []\n');
    assert.equal(run('profiles', 'validate', good).code, 0);
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'os: plan9\narch: x64\ncpu: { model: x, cores: 4 }\nmemory: { totalMiB: 16384 }\ngpus: []\n');
    const r = run('profiles', 'validate', bad);
    assert.equal(r.code, 3);
    assert.ok(r.out.includes(bad) && r.out.includes('os:'), r.out);
  });

  it('a detect --json capture plans on another box via --hardware FILE', () => {
    const file = join(tmp, 'capture.json');
    const capture = { os: 'linux', arch: 'x64', cpu: { model: 'EPYC', cores: 32 }, memory: { totalMiB: 262144, availableMiB: 250000 }, gpus: [0, 1, 2, 3].map((index) => ({ vendor: 'nvidia', name: 'NVIDIA A10', memoryMiB: 23028, freeMiB: 22800, computeCapability: '8.6', index })), runtimes: { vllm: { version: '0.11.0' } } };
    writeFileSync(file, JSON.stringify(capture));
    const plan = JSON.parse(run('plan', '--json', '--hardware', file).out);
    assert.equal(plan.runtime, 'vllm');
    assert.equal(plan.tensorParallelSize, 4);
  });

  it('every mistake is a clear error with a non-zero exit code', () => {
    const cases: [string[], number, RegExp][] = [
      [['plan', '--hardware', 'nope'], 2, /unknown hardware "nope"[\s\S]*hint: .*rtx-4090/],
      [['plan', '--hardware', join(tmp, 'missing.yaml')], 3, /cannot read the file/],
      [['plan', '--hardware', 'rtx-4090', '--ctx', 'lots'], 2, /--ctx lots: expected a number of tokens/],
      [['plan', '--hardware', 'rtx-4090', '--runtime', 'tgi'], 2, /--runtime tgi: unknown runtime[\s\S]*vllm, llamacpp, ollama/],
      [['plan', '--hardware', 'rtx-4090', '--quant', 'Q9'], 2, /no such quantization/],
      [['plan', '--hardware', 'rtx-4090', '--port', '70000'], 2, /--port 70000/],
      [['plan', '--hardware', 'rtx-4090', '--model', 'gpt-4'], 2, /unknown model "gpt-4"/],
      [['plan', '--hardware', 'apple-m2-max-32gb', '--runtime', 'vllm'], 4, /cannot run on vllm here[\s\S]*Linux/],
      [['plan', '--hardware', 'apple-m1-16gb', '--quant', 'Q8_0'], 4, /does not fit[\s\S]*needs [\d.]+ GiB/],
      [['plan', '--hardware', 'rtx-4090', '--port', '1', '--port', '2'], 2, /--port is given more than once/],
      [['plan', '--hardware', ''], 2, /--hardware needs/],
      [['plan', '--hardware', tmp], 3, /it is a directory/],
      [['plan', '--hardware', '2x-a100-80gb', '--tp', '3'], 2, /--tp 3 must divide/],
      [['plan', '--hardware', '1x-h100-80gb', '--runtime', 'vllm', '--quant', 'Q4_K_M'], 2, /--quant Q4_K_M is for llamacpp and ollama, not vllm/],
      [['profiles'], 2, /choose one of: list, show, validate/],
      [['plan', '--hardware', 'rtx-4090', '--bogus'], 2, /Unknown argument: bogus/],
      [['command', '--hardware', 'rtx-4090', '--format', 'docker'], 2, /--format docker is for vLLM/],
      [['command', '--hardware', 'rtx-4090', '--format', 'yaml'], 2, /--format yaml: unknown format/],
      [['frobnicate'], 2, /Unknown argument|Did you mean/],
    ];
    for (const [args, code, pattern] of cases) {
      const r = run(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, pattern, args.join(' '));
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace without --debug');
    }
  });

  it('--json errors are JSON on stdout too', () => {
    const r = run('plan', '--json', '--hardware', 'apple-m1-16gb', '--runtime', 'vllm');
    assert.equal(r.code, 4);
    assert.equal(JSON.parse(r.out).error.code, 'noPlan');
  });
});
