import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Gpu } from '../../src/hardware/hardwareFacts.js';
import { parseAmdSysfs, parseRocmSmi } from '../../src/hardware/parseRocmSmi.js';
import { fixture } from './fakeDeps.js';

describe('parseRocmSmi over recorded outputs', () => {
  const cases: Array<[string, Gpu[]]> = [
    [
      'rocm-smi-2x-rx-7900-xtx.json',
      [
        { vendor: 'amd', name: 'AMD Radeon RX 7900 XT/7900 XTX', memoryMiB: 24560, index: 0, freeMiB: 23545 },
        { vendor: 'amd', name: 'AMD Radeon RX 7900 XT/7900 XTX', memoryMiB: 24560, index: 1, freeMiB: 24533 },
      ],
    ],
    [
      'rocm-smi-2x-mi300x.json',
      [0, 1].map((index) => ({ vendor: 'amd' as const, name: 'AMD Instinct MI300X', memoryMiB: 196288, index, freeMiB: 196005 })),
    ],
  ];
  for (const [file, gpus] of cases) {
    it(file, () => assert.deepEqual(parseRocmSmi(fixture(file)), { gpus, problems: [] }));
  }

  it('falls back to the card model when the series is N/A, and skips cards without a VRAM size', () => {
    const json = JSON.stringify({
      card0: { 'Card Series': 'N/A', 'Card Model': '0x7551', 'VRAM Total Memory (B)': '34208743424', 'VRAM Total Used Memory (B)': '0' },
      card1: { 'Card Series': 'Radeon 780M' },
      system: { 'Driver version': '6.10.5' },
    });
    const parsed = parseRocmSmi(json);
    assert.deepEqual(parsed.gpus, [{ vendor: 'amd', name: 'AMD GPU 0x7551', memoryMiB: 32624, index: 0, freeMiB: 32624 }]);
    assert.deepEqual(parsed.problems, ['card1 (Radeon 780M) reports no VRAM size; left out']);
  });

  it('reports output that is not JSON', () => {
    assert.deepEqual(parseRocmSmi('WARNING: No AMD GPUs specified\n'), { gpus: [], problems: ['rocm-smi did not print JSON'] });
  });
});

describe('parseAmdSysfs', () => {
  it('keeps AMD cards (vendor 0x1002) with a VRAM size, ignoring connectors and other vendors', () => {
    const gpus = parseAmdSysfs([
      { card: 'card0', vendor: '0x8086', vramTotalBytes: '0' },
      { card: 'card1', vendor: '0x1002\n', vramTotalBytes: '25753026560\n', vramUsedBytes: '1073741824', deviceId: '0x744c' },
      { card: 'card1-DP-1', vendor: '0x1002', vramTotalBytes: '1' },
      { card: 'card2', vendor: '0x1002', vramTotalBytes: '68702699520', productName: 'AMD Instinct MI210' },
      { card: 'card3', vendor: '0x1002' },
    ]);
    assert.deepEqual(gpus, [
      { vendor: 'amd', name: 'AMD GPU 0x744c', memoryMiB: 24560, index: 1, freeMiB: 23536 },
      { vendor: 'amd', name: 'AMD Instinct MI210', memoryMiB: 65520, index: 2 },
    ]);
  });
});
