import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectAmdGpus } from '../../src/hardware/detectAmdGpus.js';
import { detectAppleSilicon } from '../../src/hardware/detectAppleSilicon.js';
import { detectNvidiaGpus } from '../../src/hardware/detectNvidiaGpus.js';
import { exited, fakeDeps, fixture } from './fakeDeps.js';

const isQuery = (args: readonly string[]) => args.some((a) => a.startsWith('--query-gpu='));

describe('detectNvidiaGpus', () => {
  it('reads GPUs and the CUDA version', async () => {
    const deps = fakeDeps({ 'nvidia-smi': (args) => exited(fixture(isQuery(args) ? 'nvidia-smi-2x-rtx-4090.csv' : 'nvidia-smi-header-rtx-4090.txt')) });
    const result = await detectNvidiaGpus(deps);
    assert.equal(result.gpus.length, 2);
    assert.deepEqual(result.cuda, { driverVersion: '560.35.03', version: '12.4' });
    assert.deepEqual(result.notes, []);
    assert.deepEqual(deps.calls.find((c) => isQuery(c.args))?.args, [
      '--query-gpu=index,name,memory.total,memory.free,compute_cap,driver_version',
      '--format=csv,noheader,nounits',
    ]);
  });

  it('retries without compute_cap when an old driver rejects it, and takes capability from the name', async () => {
    const deps = fakeDeps({
      'nvidia-smi': (args) => {
        if (!isQuery(args)) return exited(fixture('nvidia-smi-header-old-driver.txt'));
        if (args[0]!.includes('compute_cap')) return exited(fixture('nvidia-smi-old-driver-compute-cap-error.txt'), 2);
        return exited(fixture('nvidia-smi-old-driver-4x-v100.csv'));
      },
    });
    const result = await detectNvidiaGpus(deps);
    assert.equal(result.gpus.length, 4);
    assert.ok(result.gpus.every((g) => g.computeCapability === '7.0' && g.name === 'Tesla V100-SXM2-16GB'));
    assert.deepEqual(result.cuda, { driverVersion: '470.182.03', version: '11.4' });
    assert.deepEqual(result.notes, []);
    assert.equal(deps.calls.filter((c) => isQuery(c.args)).length, 2);
    assert.equal(deps.calls.at(-1)?.args[0], '--query-gpu=index,name,memory.total,memory.free,driver_version');
  });

  it('ENOENT becomes a "missing" note', async () => {
    const result = await detectNvidiaGpus(fakeDeps());
    assert.deepEqual(result, { gpus: [], notes: [{ probe: 'nvidia-smi', status: 'missing', reason: 'nvidia-smi not found on PATH (no NVIDIA driver)' }] });
  });

  it('a hung nvidia-smi becomes a "timeout" note', async () => {
    const result = await detectNvidiaGpus(fakeDeps({ 'nvidia-smi': { kind: 'timeout', reason: 'nvidia-smi did not finish within 5 s' } }));
    assert.deepEqual(result, { gpus: [], notes: [{ probe: 'nvidia-smi', status: 'timeout', reason: 'nvidia-smi did not finish within 5 s' }] });
  });

  it('explains a driver/library version mismatch', async () => {
    const result = await detectNvidiaGpus(fakeDeps({ 'nvidia-smi': exited(fixture('nvidia-smi-driver-mismatch.txt'), 18) }));
    assert.equal(result.gpus.length, 0);
    assert.equal(result.notes[0]?.status, 'failed');
    assert.match(result.notes[0]!.reason, /version mismatch.*reboot/);
  });

  it('leaves out a GPU without memory figures and says so', async () => {
    const result = await detectNvidiaGpus(fakeDeps({ 'nvidia-smi': (args) => exited(isQuery(args) ? fixture('nvidia-smi-gb10-unified.csv') : '') }));
    assert.deepEqual(result.gpus, []);
    assert.deepEqual(result.notes, [{ probe: 'nvidia-smi', status: 'failed', reason: 'GPU 0 (NVIDIA GB10) reports no total memory; left out' }]);
  });

  it('respects CUDA_VISIBLE_DEVICES', async () => {
    const deps = fakeDeps({ 'nvidia-smi': exited(fixture('nvidia-smi-8x-h100.csv')) }, { env: { PATH: '/fake/bin', CUDA_VISIBLE_DEVICES: '2,3' } });
    const result = await detectNvidiaGpus(deps);
    assert.deepEqual(result.gpus.map((g) => g.index), [2, 3]);
    assert.deepEqual(result.notes, [{ probe: 'nvidia-smi', status: 'missing', reason: 'CUDA_VISIBLE_DEVICES="2,3" hides GPU 0, 1, 4, 5, 6, 7' }]);
  });

  it('passes the timeout and environment to exec', async () => {
    const deps = fakeDeps({}, { timeoutMs: 1234 });
    await detectNvidiaGpus(deps);
    assert.ok(deps.calls.every((c) => c.timeoutMs === 1234));
  });
});

describe('detectAmdGpus', () => {
  it('uses rocm-smi when present', async () => {
    const result = await detectAmdGpus(fakeDeps({ 'rocm-smi': exited(fixture('rocm-smi-2x-mi300x.json')) }));
    assert.equal(result.gpus.length, 2);
    assert.deepEqual(result.notes, []);
  });

  it('falls back to sysfs without rocm-smi', async () => {
    const files: Record<string, string> = {
      '/sys/class/drm/card0/device/vendor': '0x1002\n',
      '/sys/class/drm/card0/device/mem_info_vram_total': '17163091968\n',
      '/sys/class/drm/card0/device/mem_info_vram_used': '0\n',
      '/sys/class/drm/card0/device/device': '0x73bf\n',
    };
    const base = fakeDeps();
    const deps = fakeDeps({}, {
      fs: {
        ...base.fs,
        readdir: async () => ['card0', 'card0-HDMI-A-1', 'renderD128', 'version'],
        readFile: async (path) => {
          const text = files[path];
          if (text === undefined) throw new Error(`ENOENT ${path}`);
          return text;
        },
      },
    });
    assert.deepEqual(await detectAmdGpus(deps), {
      gpus: [{ vendor: 'amd', name: 'AMD GPU 0x73bf', memoryMiB: 16368, index: 0, freeMiB: 16368 }],
      notes: [],
    });
  });

  it('is silent when there is no AMD GPU at all, and skipped off Linux', async () => {
    assert.deepEqual(await detectAmdGpus(fakeDeps()), { gpus: [], notes: [] });
    const deps = fakeDeps({}, { platform: 'darwin' });
    assert.deepEqual(await detectAmdGpus(deps), { gpus: [], notes: [] });
    assert.equal(deps.calls.length, 0);
  });
});

describe('detectAppleSilicon', () => {
  it('reads sysctl on macOS', async () => {
    const deps = fakeDeps({ '/usr/sbin/sysctl': exited(fixture('sysctl-m2-max-32gb.txt')) }, { platform: 'darwin', arch: 'arm64' });
    const result = await detectAppleSilicon(deps);
    assert.deepEqual(result.gpu, { vendor: 'apple', name: 'Apple M2 Max', memoryMiB: 21845, unified: true });
    assert.deepEqual(result.notes, []);
    assert.ok(deps.calls[0]!.args.includes('iogpu.wired_limit_mb'));
  });

  it('accepts the non-zero exit of an Intel Mac that lacks some names', async () => {
    const deps = fakeDeps(
      { '/usr/sbin/sysctl': exited(fixture('sysctl-intel-i9.txt'), 1, fixture('sysctl-intel-i9.stderr.txt')) },
      { platform: 'darwin' },
    );
    const result = await detectAppleSilicon(deps);
    assert.equal(result.gpu, undefined);
    assert.deepEqual(result.cpu, { model: 'Intel(R) Core(TM) i9-9980HK CPU @ 2.40GHz', cores: 8 });
    assert.deepEqual(result.notes, []);
  });

  it('does nothing off macOS', async () => {
    assert.deepEqual(await detectAppleSilicon(fakeDeps()), { notes: [] });
  });
});
