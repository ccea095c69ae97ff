import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeCapabilityFromName } from '../../src/hardware/computeCapabilityFromName.js';
import { filterVisibleGpus } from '../../src/hardware/filterVisibleGpus.js';
import type { Gpu } from '../../src/hardware/hardwareFacts.js';
import { parseCudaVersion, parseNvidiaSmi, parseNvidiaSmiFailure } from '../../src/hardware/parseNvidiaSmi.js';
import { fixture } from './fakeDeps.js';

const rtx4090 = (index: number, freeMiB: number, driverVersion: string): Gpu => ({
  vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, index, freeMiB, computeCapability: '8.9', driverVersion,
});

describe('parseNvidiaSmi over recorded outputs', () => {
  const cases: Array<{ file: string; withComputeCap?: boolean; gpus: Gpu[]; problems?: number }> = [
    { file: 'nvidia-smi-1x-rtx-4090.csv', gpus: [rtx4090(0, 24101, '550.54.15')] },
    { file: 'nvidia-smi-2x-rtx-4090.csv', gpus: [rtx4090(0, 23016, '560.35.03'), rtx4090(1, 24209, '560.35.03')] },
    {
      file: 'nvidia-smi-8x-h100.csv',
      gpus: [0, 1, 2, 3, 4, 5, 6, 7].map((index) => ({
        vendor: 'nvidia', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, index, freeMiB: 81004, computeCapability: '9.0', driverVersion: '535.183.01',
      })),
    },
    {
      file: 'nvidia-smi-old-driver-4x-v100.csv',
      withComputeCap: false,
      gpus: [0, 1, 2, 3].map((index) => ({
        vendor: 'nvidia', name: 'Tesla V100-SXM2-16GB', memoryMiB: 16160, index, freeMiB: 15846, computeCapability: '7.0', driverVersion: '470.182.03',
      })),
    },
    {
      file: 'nvidia-smi-mig-a100.csv',
      gpus: [
        { vendor: 'nvidia', name: 'NVIDIA A100-SXM4-40GB', memoryMiB: 40960, index: 0, computeCapability: '8.0', driverVersion: '535.104.05' },
        { vendor: 'nvidia', name: 'NVIDIA A100-SXM4-40GB', memoryMiB: 40960, index: 1, freeMiB: 40337, computeCapability: '8.0', driverVersion: '535.104.05' },
      ],
    },
    {
      file: 'nvidia-smi-laptop-not-supported.csv',
      gpus: [{ vendor: 'nvidia', name: 'NVIDIA GeForce RTX 3060 Laptop GPU', memoryMiB: 6144, index: 0, freeMiB: 5936, computeCapability: '8.6', driverVersion: '537.42' }],
    },
    { file: 'nvidia-smi-gb10-unified.csv', gpus: [], problems: 1 },
  ];
  for (const c of cases) {
    it(c.file, () => {
      const parsed = parseNvidiaSmi(fixture(c.file), { withComputeCap: c.withComputeCap ?? true });
      assert.deepEqual(parsed.gpus, c.gpus);
      assert.equal(parsed.problems.length, c.problems ?? 0, parsed.problems.join('; '));
    });
  }

  it('keeps commas inside a GPU name, since every other field is taken from the ends', () => {
    const { gpus } = parseNvidiaSmi('3, Weird, Inc. GPU, Rev 2, 8192, 8000, 7.5, 555.1\n');
    assert.equal(gpus[0]?.name, 'Weird, Inc. GPU, Rev 2');
    assert.equal(gpus[0]?.index, 3);
    assert.equal(gpus[0]?.computeCapability, '7.5');
    const old = parseNvidiaSmi('0, A, B, 100, 50, 470.1', { withComputeCap: false });
    assert.equal(old.gpus[0]?.name, 'A, B');
    assert.equal(old.gpus[0]?.driverVersion, '470.1');
  });

  it('skips blank lines and CRLF, and reports lines it cannot read', () => {
    const parsed = parseNvidiaSmi('\r\n0, NVIDIA L4, 23034, 22700, 8.9, 550.1\r\n\r\nWARNING: something odd\r\n');
    assert.equal(parsed.gpus.length, 1);
    assert.deepEqual(parsed.problems, ['unrecognised nvidia-smi line: WARNING: something odd']);
    assert.deepEqual(parseNvidiaSmi(''), { gpus: [], problems: [] });
  });
});

describe('parseCudaVersion', () => {
  const cases = [
    ['nvidia-smi-header-rtx-4090.txt', '12.4'],
    ['nvidia-smi-header-old-driver.txt', '11.4'],
    ['nvidia-smi-driver-mismatch.txt', undefined],
  ] as const;
  for (const [file, expected] of cases) it(file, () => assert.equal(parseCudaVersion(fixture(file)), expected));
});

describe('parseNvidiaSmiFailure', () => {
  const cases = [
    ['nvidia-smi-old-driver-compute-cap-error.txt', 2, 'unknown-field'],
    ['nvidia-smi-driver-mismatch.txt', 18, 'driver-mismatch'],
    ['nvidia-smi-no-driver.txt', 9, 'no-driver'],
  ] as const;
  for (const [file, code, kind] of cases) it(file, () => assert.equal(parseNvidiaSmiFailure(fixture(file), code).kind, kind));

  it('says what happened for anything else', () => {
    assert.deepEqual(parseNvidiaSmiFailure('No devices were found\n', 6), { kind: 'no-devices', reason: 'nvidia-smi found no NVIDIA GPU' });
    assert.deepEqual(parseNvidiaSmiFailure('\nFailed to initialize NVML: Unknown Error\n', 255), {
      kind: 'other', reason: 'nvidia-smi exited 255: Failed to initialize NVML: Unknown Error',
    });
  });
});

describe('computeCapabilityFromName', () => {
  const cases: Array<[string, string | undefined]> = [
    ['Tesla V100-SXM2-32GB', '7.0'],
    ['Tesla T4', '7.5'],
    ['NVIDIA A100-SXM4-80GB', '8.0'],
    ['NVIDIA A100 80GB PCIe', '8.0'],
    ['NVIDIA A30', '8.0'],
    ['NVIDIA A10', '8.6'],
    ['NVIDIA A10G', '8.6'],
    ['NVIDIA A40', '8.6'],
    ['NVIDIA RTX A6000', '8.6'],
    ['NVIDIA GeForce RTX 3090', '8.6'],
    ['NVIDIA L4', '8.9'],
    ['NVIDIA L40', '8.9'],
    ['NVIDIA L40S', '8.9'],
    ['NVIDIA GeForce RTX 4090', '8.9'],
    ['NVIDIA RTX 6000 Ada Generation', '8.9'],
    ['Quadro RTX 6000', '7.5'],
    ['NVIDIA H100 80GB HBM3', '9.0'],
    ['NVIDIA H200', '9.0'],
    ['NVIDIA GH200 480GB', '9.0'],
    ['NVIDIA B200', '10.0'],
    ['NVIDIA GeForce RTX 5090', '12.0'],
    ['NVIDIA GeForce GTX 1080 Ti', undefined],
    ['NVIDIA GB10', undefined],
  ];
  for (const [name, expected] of cases) it(name, () => assert.equal(computeCapabilityFromName(name), expected));
});

describe('filterVisibleGpus', () => {
  const gpus = [0, 1, 2, 3].map((index) => rtx4090(index, 24000, '550'));
  const cases: Array<[string | undefined, number[]]> = [
    [undefined, [0, 1, 2, 3]],
    ['1,3', [1, 3]],
    ['3, 0', [3, 0]],
    ['', []],
    ['-1', []],
    ['0,7,1', [0]],
    ['GPU-8f6a1c2e-1111-2222-3333-444455556666', [0, 1, 2, 3]],
  ];
  for (const [setting, expected] of cases) {
    it(`CUDA_VISIBLE_DEVICES=${JSON.stringify(setting)}`, () => assert.deepEqual(filterVisibleGpus(gpus, setting).map((g) => g.index), expected));
  }
});
