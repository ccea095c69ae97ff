import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HardwareFacts } from '../../src/hardware/hardwareFacts.js';
import { renderHardwareFacts } from '../../src/hardware/renderHardwareFacts.js';

describe('renderHardwareFacts', () => {
  it('renders a detected Linux machine as aligned sections', () => {
    const facts: HardwareFacts = {
      os: 'linux',
      arch: 'x64',
      cpu: { model: 'AMD Ryzen 9 7950X 16-Core Processor', cores: 16 },
      memory: { totalMiB: 131072, availableMiB: 120000 },
      gpus: [
        { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, index: 0, freeMiB: 23016, computeCapability: '8.9' },
        { vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, index: 1, computeCapability: '8.9' },
      ],
      cuda: { driverVersion: '560.35.03', version: '12.6' },
      disk: { freeMiB: 512000, path: '/data/hf/hub' },
      runtimes: {
        vllm: { version: '0.11.0', via: 'python3' },
        ollama: { version: '0.13.0', running: false, host: 'http://127.0.0.1:11434' },
        llamacpp: { backends: ['cuda', 'vulkan', 'cpu'] },
      },
      probes: [
        { probe: 'docker', status: 'timeout', reason: 'docker did not finish within 5 s' },
        { probe: 'podman', status: 'missing', reason: 'podman not found on PATH' },
      ],
    };
    assert.equal(
      renderHardwareFacts(facts),
      [
        'Machine',
        '  OS    linux x64',
        '  CPU   AMD Ryzen 9 7950X 16-Core Processor, 16 cores',
        '  RAM   128.0 GiB total, 117.2 GiB available',
        '  CUDA  12.6 (driver 560.35.03)',
        '  Disk  500.0 GiB free at /data/hf/hub',
        '',
        'GPUs',
        '  #  Name                       Memory      Free  Compute',
        '  0  NVIDIA GeForce RTX 4090  24.0 GiB  22.5 GiB  8.9',
        '  1  NVIDIA GeForce RTX 4090  24.0 GiB         -  8.9',
        '',
        'Runtimes',
        '  vLLM            0.11.0 (via python3)',
        '  Ollama          0.13.0, server not running',
        '  node-llama-cpp  backends: cuda, vulkan, cpu',
        '  Docker          unknown: docker did not finish within 5 s',
        '  Podman          not found',
        '',
        'Probe notes',
        '  docker  timeout  docker did not finish within 5 s',
        '  podman  missing  podman not found on PATH',
      ].join('\n'),
    );
  });

  it('renders an Apple capture without runtimes or notes', () => {
    const text = renderHardwareFacts({
      id: 'apple-m-32gb',
      description: 'MacBook Pro, M2 Max, 32 GB',
      os: 'darwin',
      arch: 'arm64',
      cpu: { model: 'Apple M2 Max', cores: 12, performanceCores: 8 },
      memory: { totalMiB: 32768 },
      gpus: [{ vendor: 'apple', name: 'Apple M2 Max', memoryMiB: 21845, unified: true }],
    });
    assert.match(text, /^Machine\n {2}Profile {2}apple-m-32gb: MacBook Pro, M2 Max, 32 GB\n/);
    assert.match(text, /\n {2}CPU {6}Apple M2 Max, 12 cores \(8 performance\)\n/);
    assert.match(text, /\n {2}Disk {5}unknown\n/);
    assert.match(text, /\n {2}- {2}Apple M2 Max {2}21\.3 GiB {5}- {2}- {8}unified memory, Metal limit\n/);
    assert.match(text, /\n {2}vLLM {12}unknown \(not probed\)\n/);
    assert.doesNotMatch(text, /Probe notes/);
    assert.doesNotMatch(text, / +$/m, 'no trailing spaces');
  });

  it('says when no GPU was found', () => {
    const text = renderHardwareFacts({ os: 'linux', arch: 'arm64', cpu: { model: 'Neoverse-N1', cores: 1 }, memory: { totalMiB: 2048 }, gpus: [], runtimes: {} });
    assert.match(text, /\nGPUs\n {2}none found\n/);
    assert.match(text, /1 core,|1 core\n/);
    assert.match(text, /\n {2}Ollama {10}not found\n/);
  });
});
