/** A local GGUF through plan and serve: described as the file it is, and served under one id by both. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServe } from '../support/startServe.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let model: string;

before(async () => {
  model = join(mkdtempSync(join(tmpdir(), 'devstral-local-')), 'tiny-random-mistral.gguf');
  await writeTinyGguf(model, { name: 'Tiny Random Mistral' });
});

const cli = (...args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' } }, (error, out, err) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err })),
  );

describe('a local GGUF', () => {
  it('plan describes the file that is there, and the reasons as the user gave them', async () => {
    const r = await cli('plan', '--model', model, '--hardware', 'cpu-only-16gb');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /weights +F32 GGUF, \d+ KiB, 0\.\d+M parameters, trained for 4096 tokens \(from its header\)/);
    assert.doesNotMatch(r.out, /0\.0 GiB|24B|smallest good quantization|--runtime llamacpp/);
    assert.match(r.out, /vllm: vLLM loads checkpoints from a repository, not a local GGUF file/);
  });

  it('up, plan and serve serve it under one id: its file name', async () => {
    const planned = JSON.parse((await cli('plan', '--model', model, '--hardware', 'cpu-only-16gb', '--json')).out) as { endpoint: { model: string } };
    assert.equal(planned.endpoint.model, 'tiny-random-mistral');
    const server = await startServe(['--model', model, '--threads', '1']);
    try {
      const models = (await (await fetch(`${server.origin}/v1/models`)).json()) as { data: { id: string }[] };
      assert.equal(models.data[0]!.id, planned.endpoint.model);
    } finally {
      await server.stop();
    }
  });
});
