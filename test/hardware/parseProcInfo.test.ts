import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCpuinfo, parseMeminfo } from '../../src/hardware/parseProcInfo.ts';

const block = (n: number, physical: number, core: number, model = 'AMD EPYC 7B13') => `processor\t: ${n}\nvendor_id\t: AuthenticAMD\nmodel name\t: ${model}\nphysical id\t: ${physical}\ncore id\t\t: ${core}\n`;

describe('/proc parsers', () => {
  it('physical cores: distinct (physical id, core id) pairs, so hyperthreads and sockets count right', () => {
    // 2 sockets x 2 cores x 2 threads = 8 logical CPUs, 4 physical cores.
    const blocks = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => block(n, n >> 2, (n >> 1) & 1));
    assert.deepEqual(parseCpuinfo(blocks.join('\n')), { model: 'AMD EPYC 7B13', cores: 4 });
  });

  it('no core ids (ARM, some VMs): the logical CPUs', () => {
    const arm = ['processor\t: 0\nBogoMIPS\t: 50.00\n', 'processor\t: 1\nBogoMIPS\t: 50.00\n', 'Hardware\t: BCM2835\n'].join('\n');
    assert.deepEqual(parseCpuinfo(arm), { model: '', cores: 2 });
    assert.equal(parseCpuinfo('garbage'), undefined);
  });

  it('meminfo in MiB', () => {
    assert.deepEqual(parseMeminfo('MemTotal:       24683772 kB\nMemFree: 1 kB\nMemAvailable:   24288636 kB\n'), { totalMiB: 24105, availableMiB: 23719 });
    assert.deepEqual(parseMeminfo('MemTotal: 2048 kB\n'), { totalMiB: 2 });
    assert.equal(parseMeminfo(''), undefined);
  });
});
