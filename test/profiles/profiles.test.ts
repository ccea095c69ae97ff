import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DevstralError } from '../../src/errors.ts';
import { loadProfileFile } from '../../src/profiles/loadProfileFile.ts';
import { readProfilesDir } from '../../src/profiles/profileCatalog.ts';
import { resolveModel } from '../../src/profiles/resolveModel.ts';

const dir = mkdtempSync(join(tmpdir(), 'devstral-profiles-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('profiles', () => {
  it('every shipped profile validates, with the required machines and models', async () => {
    const catalog = await readProfilesDir();
    const hardware = catalog.hardware.map((h) => h.id);
    for (const id of ['rtx-4090', '2x-rtx-4090', 'rtx-3090', '1x-h100-80gb', '2x-a100-80gb', '4x-l4', 'apple-m2-max-32gb', 'apple-m3-pro-18gb', 'laptop-8gb-gpu-32gb-ram', 'cpu-only-64gb']) {
      assert.ok(hardware.includes(id), id);
    }
    assert.deepEqual(catalog.models.map((m) => m.id).sort(), ['devstral-2', 'devstral-small-1.1', 'devstral-small-2']);
  });

  it('the default model carries the facts the planner and commands rely on', async () => {
    const { models } = await readProfilesDir();
    const m = models.find((x) => x.id === 'devstral-small-1.1')!;
    assert.deepEqual(
      [m.architecture.layers, m.architecture.hiddenSize, m.architecture.heads, m.architecture.kvHeads, m.architecture.headDim, m.architecture.contextLength],
      [40, 5120, 32, 8, 128, 131072],
    );
    const bf16 = m.artifacts.find((a) => a.id === 'bf16')!;
    assert.deepEqual(bf16.files!.map((f) => f.path), ['consolidated.safetensors', 'params.json', 'tekken.json', 'SYSTEM_PROMPT.txt']);
    assert.equal(m.artifacts.find((a) => a.id === 'Q4_K_M')!.bytes, 14333915904);
    assert.ok(m.artifacts.filter((a) => /AWQ|FP8/i.test(a.source)).every((a) => !a.official), 'community checkpoints are marked');
    assert.equal(m.sampling.temperature, 0.15);
    assert.match(m.ollama!.notes!, /2505/);
    // Unknown sizes are null, never invented.
    assert.equal(m.artifacts.find((a) => a.id === 'Q8_0')!.bytes, null);
  });

  it('a bad hardware file names the file, the field and the problem', async () => {
    const path = write('bad-hw.yaml', 'os: linux\narch: x64\ncpu: { model: x, cores: 4 }\nmemory: { totalMiB: -5 }\ngpus: []\n');
    await assert.rejects(loadProfileFile(path, 'hardware'), (e: DevstralError) => {
      assert.equal(e.code, 'profile');
      assert.equal(e.exitCode, 3);
      assert.ok(e.message.includes(path) && e.message.includes('memory.totalMiB'), e.message);
      return true;
    });
  });

  it('unknown fields, wrong types and syntax errors are reported', async () => {
    await assert.rejects(loadProfileFile(write('extra.yaml', 'os: linux\narch: x64\ncpu: { model: x, cores: 4 }\nmemory: { totalMiB: 5 }\ngpus: []\nsize: 3\n')), /size|Unrecognized key/);
    await assert.rejects(loadProfileFile(write('gpu.yaml', 'os: linux\narch: x64\ncpu: { model: x, cores: 4 }\nmemory: { totalMiB: 5 }\ngpus: [{ vendor: nvidia, name: a, memoryMiB: "lots" }]\n')), /gpus\.0\.memoryMiB/);
    await assert.rejects(loadProfileFile(write('syntax.yaml', 'os: [linux\n')), /not valid YAML/);
    await assert.rejects(loadProfileFile(join(dir, 'missing.yaml')), /cannot read the file \(no such file\)/);
    await assert.rejects(
      loadProfileFile(write('model.yaml', 'id: m\nname: M\naliases: []\nrepo: a/b\narchitecture: { layers: 1 }\nartifacts: []\n')),
      (e: DevstralError) => /invalid model profile/.test(e.message) && e.details.length > 0,
    );
  });

  it('impossible numbers are rejected: free above total, duplicate GPU indices, absurd sizes', async () => {
    const base = 'os: linux\narch: x64\ncpu: { model: x, cores: 4 }\n';
    await assert.rejects(loadProfileFile(write('free.yaml', `${base}memory: { totalMiB: 5 }\ngpus: [{ vendor: nvidia, name: a, memoryMiB: 100, freeMiB: 200 }]\n`)), /gpus\.0\.freeMiB: is more than memoryMiB/);
    await assert.rejects(loadProfileFile(write('avail.yaml', `${base}memory: { totalMiB: 5, availableMiB: 6 }\ngpus: []\n`)), /memory\.availableMiB/);
    await assert.rejects(loadProfileFile(write('dup.yaml', `${base}memory: { totalMiB: 5 }\ngpus: [{ vendor: nvidia, name: a, memoryMiB: 1, index: 1 }, { vendor: nvidia, name: a, memoryMiB: 1 }]\n`)), /same index/);
    await assert.rejects(loadProfileFile(write('huge.yaml', `${base}memory: { totalMiB: 1e300 }\ngpus: []\n`)), /more than 64 TiB/);
    await assert.rejects(loadProfileFile(dir), /it is a directory/);
  });

  it('a detect --json capture in JSON is read like YAML', async () => {
    const path = write('capture.json', JSON.stringify({ os: 'darwin', arch: 'arm64', cpu: { model: 'Apple M2 Max', cores: 12 }, memory: { totalMiB: 32768 }, gpus: [{ vendor: 'apple', name: 'Apple M2 Max', memoryMiB: 21845, unified: true }] }));
    const loaded = await loadProfileFile(path);
    assert.equal(loaded.kind, 'hardware');
  });

  it('model references: ids, aliases, hf: references to profile artifacts', async () => {
    const catalog = await readProfilesDir();
    assert.equal(resolveModel(catalog).model.id, 'devstral-small-1.1');
    assert.equal(resolveModel(catalog, 'Devstral').model.id, 'devstral-small-1.1');
    assert.equal(resolveModel(catalog, 'mistralai/Devstral-Small-2507').model.id, 'devstral-small-1.1');
    assert.deepEqual(resolveModel(catalog, 'hf:mistralai/Devstral-Small-2507_gguf:Q8_0').quant, 'Q8_0');
    assert.equal(resolveModel(catalog, 'hf:mistralai/Devstral-Small-2507_gguf/Devstral-Small-2507-Q4_K_M.gguf@main').revision, 'main');
    assert.equal(resolveModel(catalog, 'hf:mistralai/Devstral-Small-2507').repo, 'mistralai/Devstral-Small-2507');
    assert.throws(() => resolveModel(catalog, 'llama3'), (e: DevstralError) => e.code === 'usage' && /devstral-small-1\.1/.test(e.hint!));
    assert.throws(() => resolveModel(catalog, 'hf:nobody/nothing'), /no model profile knows/);
    assert.throws(() => resolveModel(catalog, 'hf:bad ref'), /not a valid hf: reference/);
    assert.deepEqual(resolveModel(catalog, 'hf:mistralai/Devstral-Small-2507:bf16').quant, 'bf16');
    assert.deepEqual(resolveModel(catalog, 'hf:RedHatAI/Devstral-Small-2507-FP8-Dynamic').repo, 'RedHatAI/Devstral-Small-2507-FP8-Dynamic');
    assert.equal(resolveModel(catalog, 'hf:mistralai/Devstral-Small-2507_gguf').repo, 'mistralai/Devstral-Small-2507_gguf');
    assert.equal(resolveModel(catalog, 'hf:mistralai/Devstral-Small-2507@abc123').revision, 'abc123');
    assert.throws(() => resolveModel(catalog, 'hf:mistralai/Devstral-Small-2507_gguf:Q2_K'), /has no Q2_K/);
  });
});
