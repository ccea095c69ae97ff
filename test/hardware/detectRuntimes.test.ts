import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectContainerTool } from '../../src/hardware/detectContainerTool.js';
import { detectLlamaCppBackends } from '../../src/hardware/detectLlamaCppBackends.js';
import { detectOllama } from '../../src/hardware/detectOllama.js';
import { detectRuntimes } from '../../src/hardware/detectRuntimes.js';
import { detectVllm } from '../../src/hardware/detectVllm.js';
import { exited, fakeDeps } from './fakeDeps.js';

const NOT_INSTALLED = "Traceback (most recent call last):\nimportlib.metadata.PackageNotFoundError: No package metadata was found for vllm\n";

describe('detectVllm', () => {
  it('asks the interpreter of the vllm script on PATH for the version (no torch import)', async () => {
    const base = fakeDeps();
    const deps = fakeDeps(
      { '/opt/venv/bin/python3': exited('0.10.1.1\n'), vllm: { kind: 'timeout', reason: 'too slow' } },
      {
        env: { PATH: '/usr/bin:/opt/venv/bin' },
        fs: { ...base.fs, isExecutable: async (p) => p === '/opt/venv/bin/vllm', readHead: async () => '#!/opt/venv/bin/python3\nimport sys\n' },
      },
    );
    assert.deepEqual(await detectVllm(deps), { vllm: { version: '0.10.1.1', via: 'vllm' }, notes: [] });
    assert.deepEqual(deps.calls.map((c) => c.file), ['/opt/venv/bin/python3']);
  });

  it('runs `vllm --version` with the slow timeout when the script is not Python', async () => {
    const base = fakeDeps();
    const deps = fakeDeps(
      { vllm: exited('INFO 09-24 14:40:08 [__init__.py:216] Automatically detected platform cuda.\n0.11.0\n') },
      { fs: { ...base.fs, isExecutable: async (p) => p === '/fake/bin/vllm', readHead: async () => '#!/bin/sh\nexec docker run vllm "$@"\n' } },
    );
    assert.deepEqual(await detectVllm(deps), { vllm: { version: '0.11.0', via: 'vllm' }, notes: [] });
    assert.deepEqual(deps.calls.map((c) => [c.file, c.timeoutMs]), [['vllm', 30000]]);
  });

  it('finds a python3-only install', async () => {
    const deps = fakeDeps({ python3: exited('0.9.2\n') });
    assert.deepEqual(await detectVllm(deps), { vllm: { version: '0.9.2', via: 'python3' }, notes: [] });
  });

  it('does not run python3 off Linux (a bare Mac would open an install dialog)', async () => {
    const deps = fakeDeps({ python3: exited('0.9.2\n') }, { platform: 'darwin' });
    assert.deepEqual(await detectVllm(deps), { notes: [{ probe: 'vllm', status: 'missing', reason: 'vllm not found on PATH' }] });
    assert.equal(deps.calls.length, 0);
  });

  it('says "missing" when neither the command nor the package exists', async () => {
    assert.deepEqual(await detectVllm(fakeDeps({ python3: exited('', 1, NOT_INSTALLED) })), {
      notes: [{ probe: 'vllm', status: 'missing', reason: 'vllm not on PATH and not installed for python3' }],
    });
    assert.deepEqual(await detectVllm(fakeDeps()), {
      notes: [{ probe: 'vllm', status: 'missing', reason: 'vllm not on PATH, and no python3 to look for it' }],
    });
  });

  it('a vllm on PATH that fails is "failed", not "missing"', async () => {
    const base = fakeDeps();
    const deps = fakeDeps(
      { vllm: exited('', 1, 'ImportError: libcudart.so.12: cannot open shared object file\n') },
      { fs: { ...base.fs, isExecutable: async (p) => p === '/fake/bin/vllm', readHead: async () => '' } },
    );
    const result = await detectVllm(deps);
    assert.equal(result.vllm, undefined);
    assert.deepEqual(result.notes, [{ probe: 'vllm', status: 'failed', reason: '/fake/bin/vllm --version: exited 1: ImportError: libcudart.so.12: cannot open shared object file' }]);
  });
});

describe('detectOllama', () => {
  it('a running server and CLI: the server version wins', async () => {
    const urls: string[] = [];
    const deps = fakeDeps({ ollama: exited('ollama version is 0.12.9\n') }, { env: { OLLAMA_HOST: '0.0.0.0:11500' } }, (url) => {
      urls.push(url);
      return { kind: 'response', status: 200, body: '{"version":"0.13.0"}' };
    });
    assert.deepEqual(await detectOllama(deps), { ollama: { version: '0.13.0', running: true, host: 'http://127.0.0.1:11500' }, notes: [] });
    assert.deepEqual(urls, ['http://127.0.0.1:11500/api/version']);
  });

  it('CLI installed, no server', async () => {
    const deps = fakeDeps({ ollama: exited('', 0, 'Warning: could not connect to a running Ollama instance\nWarning: client version is 0.13.0\n') });
    assert.deepEqual(await detectOllama(deps), { ollama: { version: '0.13.0', running: false, host: 'http://127.0.0.1:11434' }, notes: [] });
  });

  it('server only (e.g. Ollama in a container)', async () => {
    const deps = fakeDeps({}, {}, () => ({ kind: 'response', status: 200, body: '{"version":"0.13.1"}' }));
    assert.deepEqual(await detectOllama(deps), { ollama: { version: '0.13.1', running: true, host: 'http://127.0.0.1:11434' }, notes: [] });
  });

  it('neither: a "missing" note; something else on the port does not count', async () => {
    const deps = fakeDeps({}, {}, () => ({ kind: 'response', status: 404, body: 'not found' }));
    assert.deepEqual(await detectOllama(deps), {
      notes: [{ probe: 'ollama', status: 'missing', reason: 'ollama not found on PATH, and no server answers at http://127.0.0.1:11434' }],
    });
  });
});

describe('detectLlamaCppBackends', () => {
  it('maps false to "cpu"', async () => {
    assert.deepEqual(await detectLlamaCppBackends(fakeDeps()), { llamacpp: { backends: ['cuda', 'vulkan', 'cpu'] }, notes: [] });
  });

  it('not installed: "missing"; hanging: "timeout"', async () => {
    const notInstalled = fakeDeps({}, { importNodeLlamaCpp: () => Promise.reject(Object.assign(new Error("Cannot find package 'node-llama-cpp'"), { code: 'ERR_MODULE_NOT_FOUND' })) });
    assert.deepEqual(await detectLlamaCppBackends(notInstalled), { notes: [{ probe: 'llamacpp', status: 'missing', reason: 'node-llama-cpp is not installed' }] });
    const hanging = fakeDeps({}, { importNodeLlamaCpp: () => new Promise(() => {}), timeoutMs: 10 });
    assert.deepEqual(await detectLlamaCppBackends(hanging), { notes: [{ probe: 'llamacpp', status: 'timeout', reason: 'node-llama-cpp did not answer within 10 ms' }] });
  });
});

describe('detectContainerTool', () => {
  it('reads docker and podman versions', async () => {
    const deps = fakeDeps({ docker: exited('Docker version 28.2.2, build e6534b4\n'), podman: exited('podman version 5.2.2\n') });
    assert.deepEqual(await detectContainerTool('docker', deps), { version: '28.2.2', notes: [] });
    assert.deepEqual(await detectContainerTool('podman', deps), { version: '5.2.2', notes: [] });
    assert.deepEqual(await detectContainerTool('podman', fakeDeps()), { notes: [{ probe: 'podman', status: 'missing', reason: 'podman not found on PATH' }] });
  });
});

describe('detectRuntimes', () => {
  it('collects every runtime; a probe that throws becomes a note', async () => {
    const deps = fakeDeps(
      { docker: exited('Docker version 28.2.2, build e6534b4\n'), python3: exited('0.10.1.1\n') },
      { httpGet: () => { throw new Error('boom'); } },
    );
    const result = await detectRuntimes(deps);
    assert.deepEqual(result.runtimes, { vllm: { version: '0.10.1.1', via: 'python3' }, llamacpp: { backends: ['cuda', 'vulkan', 'cpu'] }, docker: { version: '28.2.2' } });
    assert.deepEqual(result.notes, [
      { probe: 'ollama', status: 'failed', reason: 'unexpected error: boom' },
      { probe: 'podman', status: 'missing', reason: 'podman not found on PATH' },
    ]);
  });
});
