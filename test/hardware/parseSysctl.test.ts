import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateMetalWorkingSetMiB, parseSysctl, type SysctlFacts } from '../../src/hardware/parseSysctl.js';
import { fixture } from './fakeDeps.js';

describe('parseSysctl over recorded outputs', () => {
  const apple = (name: string, memoryMiB: number) => ({ vendor: 'apple' as const, name, memoryMiB, unified: true });
  const cases: Array<[string, SysctlFacts]> = [
    ['sysctl-m1-16gb.txt', { memoryTotalMiB: 16384, cpu: { model: 'Apple M1', cores: 8, performanceCores: 4 }, gpu: apple('Apple M1', 10922) }],
    ['sysctl-m2-max-32gb.txt', { memoryTotalMiB: 32768, cpu: { model: 'Apple M2 Max', cores: 12, performanceCores: 8 }, gpu: apple('Apple M2 Max', 21845) }],
    ['sysctl-m3-max-128gb.txt', { memoryTotalMiB: 131072, cpu: { model: 'Apple M3 Max', cores: 16, performanceCores: 12 }, gpu: apple('Apple M3 Max', 98304) }],
    ['sysctl-m3-max-128gb-wired-limit.txt', { memoryTotalMiB: 131072, cpu: { model: 'Apple M3 Max', cores: 16, performanceCores: 12 }, gpu: apple('Apple M3 Max', 114688) }],
    ['sysctl-intel-i9.txt', { memoryTotalMiB: 32768, cpu: { model: 'Intel(R) Core(TM) i9-9980HK CPU @ 2.40GHz', cores: 8 } }],
  ];
  for (const [file, expected] of cases) it(file, () => assert.deepEqual(parseSysctl(fixture(file)), expected));

  it('treats Rosetta (proc_translated=1) as Apple silicon even when the brand string is virtual', () => {
    const facts = parseSysctl('hw.memsize: 17179869184\nmachdep.cpu.brand_string: VirtualApple @ 2.50GHz processor\nhw.ncpu: 8\nsysctl.proc_translated: 1\n');
    assert.equal(facts.rosetta, true);
    assert.equal(facts.gpu?.name, 'Apple silicon');
    assert.equal(facts.gpu?.memoryMiB, 10922);
  });

  it('returns nothing it cannot read', () => {
    assert.deepEqual(parseSysctl(''), {});
    assert.deepEqual(parseSysctl("sysctl: unknown oid 'hw.memsize'"), {});
  });
});

describe('estimateMetalWorkingSetMiB', () => {
  const GiB = 1024;
  const cases: Array<[number, number | undefined, number]> = [
    [8 * GiB, undefined, 5461],
    [36 * GiB, 0, 24 * GiB],
    [48 * GiB, 0, 36 * GiB],
    [192 * GiB, undefined, 144 * GiB],
    [128 * GiB, 114688, 112 * GiB],
    [16 * GiB, 65536, 16 * GiB],
  ];
  for (const [total, wired, expected] of cases) {
    it(`${total / GiB} GiB, wired_limit_mb=${wired}`, () => assert.equal(estimateMetalWorkingSetMiB(total, wired), expected));
  }
});
