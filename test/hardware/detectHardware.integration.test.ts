import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDetectDeps } from '../../src/hardware/createDetectDeps.js';
import { detectHardware } from '../../src/hardware/detectHardware.js';
import { fixture } from './fakeDeps.js';

/** Single-quoted for sh. */
const q = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Stand-in executables use only shell builtins, so PATH can hold nothing else. */
function writeTool(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

describe('detectHardware with the real exec and stand-in tools on PATH', { skip: process.platform === 'win32' }, () => {
  const root = mkdtempSync(join(tmpdir(), 'devstral-detect-'));
  let server: Server;
  let ollamaHost = '';

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/api/version') res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":"0.13.0"}');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ollamaHost = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  function machine(name: string, nvidiaSmi: string): Record<string, string> {
    const bin = join(root, name, 'bin');
    mkdirSync(bin, { recursive: true });
    writeTool(bin, 'nvidia-smi', nvidiaSmi);
    writeTool(bin, 'ollama', `printf '%s\\n' 'Warning: could not connect to a running Ollama instance' 'Warning: client version is 0.12.11' >&2`);
    writeTool(bin, 'vllm', `case "$1" in --version) printf '%s\\n' 'INFO 11-23 10:00:00 [__init__.py:216] Automatically detected platform cuda.' '0.11.0' ;; *) exit 2 ;; esac`);
    // The weights directory does not exist yet: its nearest existing parent is measured.
    return { PATH: bin, HF_HUB_CACHE: join(root, name, 'hf', 'hub'), OLLAMA_HOST: ollamaHost };
  }

  it('two GPUs on a current driver', async () => {
    const env = machine(
      'current',
      `case "$*" in
  *--query-gpu=*) printf '%s' ${q(fixture('nvidia-smi-2x-rtx-4090.csv'))} ;;
  '') printf '%s' ${q(fixture('nvidia-smi-header-rtx-4090.txt'))} ;;
  *) exit 2 ;;
esac`,
    );
    const facts = await detectHardware(createDetectDeps({ env }));

    assert.deepEqual(facts.gpus, [
      { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, index: 0, freeMiB: 23016, computeCapability: '8.9', driverVersion: '560.35.03' },
      { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, index: 1, freeMiB: 24209, computeCapability: '8.9', driverVersion: '560.35.03' },
    ]);
    assert.deepEqual(facts.cuda, { driverVersion: '560.35.03', version: '12.4' });
    assert.deepEqual(facts.runtimes?.vllm, { version: '0.11.0', via: 'vllm' });
    assert.deepEqual(facts.runtimes?.ollama, { version: '0.13.0', running: true, host: `http://${ollamaHost}` });
    assert.equal(facts.runtimes?.docker, undefined);
    assert.ok(facts.runtimes?.llamacpp === undefined || facts.runtimes.llamacpp.backends.length > 0);
    assert.deepEqual(facts.disk?.path, env.HF_HUB_CACHE);
    assert.ok((facts.disk?.freeMiB ?? 0) > 0);
    assert.ok(facts.cpu.cores >= 1 && facts.memory.totalMiB > 0);
    const notes = new Map(facts.probes?.map((n) => [n.probe, n.status]));
    assert.equal(notes.get('docker'), 'missing');
    assert.equal(notes.get('podman'), 'missing');
    assert.equal(notes.has('nvidia-smi'), false);
  });

  it('an old driver that rejects compute_cap', async () => {
    const env = machine(
      'old-driver',
      `case "$*" in
  *compute_cap*) printf '%s' ${q(fixture('nvidia-smi-old-driver-compute-cap-error.txt'))}; exit 2 ;;
  *--query-gpu=*) printf '%s' ${q(fixture('nvidia-smi-old-driver-4x-v100.csv'))} ;;
  *) printf '%s' ${q(fixture('nvidia-smi-header-old-driver.txt'))} ;;
esac`,
    );
    const facts = await detectHardware(createDetectDeps({ env }));
    assert.equal(facts.gpus.length, 4);
    assert.deepEqual(facts.gpus[3], {
      vendor: 'nvidia', name: 'Tesla V100-SXM2-16GB', memoryMiB: 16160, index: 3, freeMiB: 15846, computeCapability: '7.0', driverVersion: '470.182.03',
    });
    assert.deepEqual(facts.cuda, { driverVersion: '470.182.03', version: '11.4' });
    assert.equal(facts.probes?.some((n) => n.probe === 'nvidia-smi'), false);
  });
});
