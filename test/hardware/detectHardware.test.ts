import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectDisk } from '../../src/hardware/detectDisk.js';
import { detectHardware } from '../../src/hardware/detectHardware.js';
import { detectSystem } from '../../src/hardware/detectSystem.js';
import type { HardwareFacts } from '../../src/hardware/hardwareFacts.js';
import { exited, fakeDeps, fixture } from './fakeDeps.js';

const isQuery = (args: readonly string[]) => args.some((a) => a.startsWith('--query-gpu='));

/** JSON round trip equal to the object: no undefined fields anywhere. */
function assertNoUndefined(facts: HardwareFacts): void {
  assert.deepEqual(JSON.parse(JSON.stringify(facts)), facts);
}

describe('detectHardware with fake tools', () => {
  it('a Linux box with two RTX 4090 gives exactly the design.md shape', async () => {
    const deps = fakeDeps(
      {
        'nvidia-smi': (args) => exited(fixture(isQuery(args) ? 'nvidia-smi-2x-rtx-4090.csv' : 'nvidia-smi-header-rtx-4090.txt')),
        ollama: exited('ollama version is 0.13.0\n'),
        python3: exited('0.11.0\n'),
        docker: exited('Docker version 28.2.2, build e6534b4\n'),
      },
      {},
      () => ({ kind: 'response', status: 200, body: '{"version":"0.13.0"}' }),
    );
    const facts = await detectHardware(deps);
    assert.deepEqual(facts, {
      os: 'linux',
      arch: 'x64',
      cpu: { model: 'AMD Ryzen 9 7950X 16-Core Processor', cores: 16 },
      memory: { totalMiB: 131072, availableMiB: 122880 },
      gpus: [
        { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, index: 0, freeMiB: 23016, computeCapability: '8.9', driverVersion: '560.35.03' },
        { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, index: 1, freeMiB: 24209, computeCapability: '8.9', driverVersion: '560.35.03' },
      ],
      cuda: { driverVersion: '560.35.03', version: '12.4' },
      disk: { freeMiB: 3906, path: '/data/hf' },
      runtimes: {
        vllm: { version: '0.11.0', via: 'python3' },
        ollama: { version: '0.13.0', running: true, host: 'http://127.0.0.1:11434' },
        llamacpp: { backends: ['cuda', 'vulkan', 'cpu'] },
        docker: { version: '28.2.2' },
      },
      probes: [{ probe: 'podman', status: 'missing', reason: 'podman not found on PATH' }],
    });
    assertNoUndefined(facts);
  });

  it('a Mac with an M2 Max: CPU and GPU from sysctl, no nvidia-smi', async () => {
    const deps = fakeDeps({ '/usr/sbin/sysctl': exited(fixture('sysctl-m2-max-32gb.txt')) }, {
      platform: 'darwin',
      arch: 'arm64',
      importNodeLlamaCpp: async () => ({ getLlamaGpuTypes: async () => ['metal', false] }),
      importSystemInformation: async () => ({
        cpu: async () => ({ manufacturer: 'Apple', brand: 'M2 Max', cores: 12, physicalCores: 12 }),
        mem: async () => ({ total: 32 * 1024 ** 3, available: 20 * 1024 ** 3 }),
        fsSize: async () => [],
      }),
    });
    const facts = await detectHardware(deps);
    assert.equal(facts.os, 'darwin');
    assert.deepEqual(facts.cpu, { model: 'Apple M2 Max', cores: 12, performanceCores: 8 });
    assert.deepEqual(facts.memory, { totalMiB: 32768, availableMiB: 20480 });
    assert.deepEqual(facts.gpus, [{ vendor: 'apple', name: 'Apple M2 Max', memoryMiB: 21845, unified: true }]);
    assert.deepEqual(facts.runtimes?.llamacpp, { backends: ['metal', 'cpu'] });
    assert.ok(!deps.calls.some((c) => c.file === 'nvidia-smi' || c.file === 'rocm-smi'));
    assertNoUndefined(facts);
  });

  it('never throws: with every library and tool failing it still returns facts and notes', async () => {
    const deps = fakeDeps({}, {
      platform: 'freebsd',
      arch: 'riscv64',
      importSystemInformation: () => Promise.reject(new Error('si exploded')),
      importNodeLlamaCpp: () => Promise.reject(new Error('no binary')),
      fs: { ...fakeDeps().fs, statfs: () => Promise.reject(new Error('EPERM')), isDirectory: () => Promise.reject(new Error('weird fs')) },
    });
    const facts = await detectHardware(deps);
    assert.equal(facts.os, 'linux');
    assert.equal(facts.arch, 'x64');
    assert.deepEqual(facts.cpu, { model: 'Fake CPU 9000', cores: 4 });
    assert.deepEqual(facts.memory, { totalMiB: 8192, availableMiB: 4096 });
    assert.deepEqual(facts.gpus, []);
    assert.equal(facts.disk, undefined);
    assert.deepEqual(facts.runtimes, {});
    assert.deepEqual(
      facts.probes?.map((n) => `${n.probe}:${n.status}`),
      ['os:failed', 'arch:failed', 'systeminformation:failed', 'nvidia-smi:missing', 'disk:failed', 'vllm:missing', 'ollama:missing', 'llamacpp:failed', 'docker:missing', 'podman:missing'],
    );
    assertNoUndefined(facts);
  });
});

describe('detectSystem', () => {
  it('falls back to node:os when systeminformation hangs', async () => {
    const deps = fakeDeps({}, { importSystemInformation: () => new Promise(() => {}), timeoutMs: 10 });
    const result = await detectSystem(deps);
    assert.deepEqual(result.cpu, { model: 'Fake CPU 9000', cores: 4 });
    assert.equal(result.notes[0]?.status, 'timeout');
  });
});

describe('detectDisk', () => {
  it('measures the nearest existing parent of the Hugging Face cache', async () => {
    const asked: string[] = [];
    const base = fakeDeps();
    const deps = fakeDeps({}, {
      env: { HF_HOME: '/data/models/hf' },
      fs: { ...base.fs, statfs: async (p) => (asked.push(p), { bavail: 2 * 1024 * 1024, bsize: 4096 }) },
    });
    assert.deepEqual(await detectDisk(deps), { disk: { freeMiB: 8192, path: '/data/models/hf/hub' }, notes: [] });
    assert.deepEqual(asked, ['/data']);
  });

  it('uses systeminformation mounts when statfs fails', async () => {
    const base = fakeDeps();
    const deps = fakeDeps({}, {
      fs: { ...base.fs, statfs: () => Promise.reject(new Error('ENOSYS')) },
      importSystemInformation: async () => ({
        ...(await base.importSystemInformation()),
        fsSize: async () => [
          { mount: '/', available: 10 * 1024 ** 3 },
          { mount: '/data', available: 500 * 1024 ** 3 },
          { mount: '/dat', available: 1 },
        ],
      }),
    });
    assert.deepEqual(await detectDisk(deps), { disk: { freeMiB: 512000, path: '/data/hf' }, notes: [] });
  });
});
