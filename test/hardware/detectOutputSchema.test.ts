import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectHardware } from '../../src/hardware/detectHardware.js';
import { hardwareFactsSchema } from '../../src/profiles/profileSchemas.js';
import { exited, fakeDeps, fixture } from './fakeDeps.js';

/** `devstral detect --json` must read back through `--hardware FILE`, whatever the machine looked like. */
describe('detect output validates against the --hardware schema', () => {
  const isQuery = (args: readonly string[]) => args.some((a) => a.startsWith('--query-gpu='));
  const cases = {
    'Linux, 8x H100, all runtimes': fakeDeps(
      {
        'nvidia-smi': (args) => exited(fixture(isQuery(args) ? 'nvidia-smi-8x-h100.csv' : 'nvidia-smi-header-rtx-4090.txt')),
        python3: exited('0.11.0\n'),
        ollama: exited('ollama version is 0.13.0\n'),
        docker: exited('Docker version 28.2.2, build e6534b4\n'),
        podman: exited('podman version 5.2.2\n'),
      },
      {},
      () => ({ kind: 'response', status: 200, body: '{"version":"0.13.0"}' }),
    ),
    'Linux, AMD MI300X via rocm-smi': fakeDeps({ 'rocm-smi': exited(fixture('rocm-smi-2x-mi300x.json')) }),
    'Linux, GB10 without memory figures': fakeDeps({ 'nvidia-smi': exited(fixture('nvidia-smi-gb10-unified.csv')) }),
    'everything failing': fakeDeps({}, { importSystemInformation: () => Promise.reject(new Error('x')), importNodeLlamaCpp: () => Promise.reject(new Error('y')) }),
    'Intel Mac': fakeDeps({ '/usr/sbin/sysctl': exited(fixture('sysctl-intel-i9.txt'), 1) }, { platform: 'darwin' }),
  };
  for (const [name, deps] of Object.entries(cases)) {
    it(name, async () => {
      const facts = await detectHardware(deps);
      assert.deepEqual(hardwareFactsSchema.parse(JSON.parse(JSON.stringify(facts))), facts);
    });
  }

  it('Apple silicon (cpu.performanceCores)', async () => {
    const facts = await detectHardware(fakeDeps({ '/usr/sbin/sysctl': exited(fixture('sysctl-m3-max-128gb.txt')) }, { platform: 'darwin', arch: 'arm64' }));
    assert.deepEqual(hardwareFactsSchema.parse(JSON.parse(JSON.stringify(facts))), facts);
  });
});
