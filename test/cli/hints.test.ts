/** Errors and hints that tell the truth: about the flags the user gave, the files they named, the machine they have. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/startServe.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'devstral-hints-'));
});

const cli = (...args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' }, timeout: 60_000 }, (error, out, err) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err })),
  );

const hardware = (name: string, gpus: string, extra = '') => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `os: linux\narch: x64\ncpu: { model: X, cores: 8 }\nmemory: { totalMiB: 65536 }\ngpus:${gpus}\n${extra}`);
  return path;
};

describe('hints that tell the truth', () => {
  it('an unknown profiles command names the ones there are, without guessing', async () => {
    const r = await cli('profiles', 'frob');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command "profiles frob"/);
    assert.match(r.err, /profiles list, profiles show, profiles validate/);
    assert.doesNotMatch(r.err, /Did you mean/);
  });

  it('profiles validate of a missing file says so and points at the path, not at fields', async () => {
    const r = await cli('profiles', 'validate', join(dir, 'nope.yaml'));
    assert.equal(r.code, 3);
    assert.match(r.err, /cannot be read/);
    assert.match(r.err, /check the path/);
    assert.doesNotMatch(r.err, /fix the fields/);
  });

  it('computeCapability written as a YAML number is the capability; cuda without an NVIDIA GPU is refused', async () => {
    const ok = await cli('profiles', 'validate', hardware('cc', '\n  - { vendor: nvidia, name: RTX 4090, memoryMiB: 24564, computeCapability: 8.9 }\n  - { vendor: nvidia, name: RTX 4090, memoryMiB: 24564, computeCapability: 9.0 }'));
    assert.equal(ok.code, 0, ok.out + ok.err);
    const planned = JSON.parse((await cli('plan', '--hardware', join(dir, 'cc.yaml'), '--runtime', 'vllm', '--json')).out) as { runtime: string };
    assert.equal(planned.runtime, 'vllm');
    const bad = await cli('profiles', 'validate', hardware('nocuda', ' []', 'cuda: { driverVersion: "550.1" }\n'));
    assert.equal(bad.code, 3);
    assert.match(bad.out, /cuda: is set but gpus lists no NVIDIA GPU/);
  });

  it('--tp on a machine without NVIDIA GPUs is a usage error about --tp', async () => {
    const r = await cli('plan', '--hardware', 'cpu-only-16gb', '--tp', '2');
    assert.equal(r.code, 2);
    assert.match(r.err, /--tp 2: tensor parallelism is vLLM's, over NVIDIA GPUs/);
    assert.doesNotMatch(r.err, /--runtime/);
  });

  it('a model with nothing for this machine: no advice about flags the user did not give', async () => {
    const r = await cli('plan', '--model', 'devstral-small-2', '--hardware', 'cpu-only-16gb');
    assert.equal(r.code, 4);
    assert.match(r.err, /devstral-small-2 has no GGUF for llama\.cpp: it needs vLLM on NVIDIA GPUs/);
    assert.doesNotMatch(r.err, /drop --runtime|--quant/);
  });

  it('serve --gpu cuda where CUDA cannot run says so and what to use', { skip: existsSync('/dev/nvidia0') && 'this machine has an NVIDIA GPU' }, async () => {
    const model = join(dir, 'tiny.gguf');
    await writeTinyGguf(model);
    const r = await cli('serve', '--model', model, '--gpu', 'cuda', '--port', String(await freePort()));
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /--gpu cuda: node-llama-cpp's cuda build does not run on this machine/);
    assert.match(r.err, /--gpu auto/);
  });
});
