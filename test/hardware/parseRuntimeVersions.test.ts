import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShebang } from '../../src/hardware/detectVllm.js';
import { parseOllamaHost } from '../../src/hardware/parseOllamaHost.js';
import {
  parseContainerToolVersion,
  parseOllamaServerVersion,
  parseOllamaVersion,
  parseVllmVersion,
} from '../../src/hardware/parseRuntimeVersions.js';
import { resolveHfCacheDir } from '../../src/hardware/resolveHfCacheDir.js';

describe('parseVllmVersion', () => {
  const cases: Array<[string, string | undefined]> = [
    ['0.10.1.1\n', '0.10.1.1'],
    ['INFO 09-24 14:40:08 [__init__.py:216] Automatically detected platform cuda.\n0.10.2rc3.dev447+g58c360d9b.d20250924.precompiled\n', '0.10.2rc3.dev447+g58c360d9b.d20250924.precompiled'],
    ['Traceback (most recent call last):\n  ...\nModuleNotFoundError: No module named vllm\n', undefined],
    ['', undefined],
  ];
  for (const [output, expected] of cases) it(JSON.stringify(output.slice(0, 40)), () => assert.equal(parseVllmVersion(output), expected));
});

describe('parseOllamaVersion', () => {
  const cases: Array<[string, ReturnType<typeof parseOllamaVersion>]> = [
    ['ollama version is 0.13.0\n', { version: '0.13.0', serverReachable: true }],
    ['Warning: could not connect to a running Ollama instance\nWarning: client version is 0.13.0\n', { version: '0.13.0', serverReachable: false }],
    ['bash: ollama: command not found', { serverReachable: true }],
  ];
  for (const [output, expected] of cases) it(JSON.stringify(output.slice(0, 40)), () => assert.deepEqual(parseOllamaVersion(output), expected));

  it('reads the server version from /api/version', () => {
    assert.equal(parseOllamaServerVersion('{"version":"0.13.0"}'), '0.13.0');
    assert.equal(parseOllamaServerVersion('<html>not ollama</html>'), undefined);
    assert.equal(parseOllamaServerVersion('{"status":"ok"}'), undefined);
  });
});

describe('parseContainerToolVersion', () => {
  const cases: Array<[string, string | undefined]> = [
    ['Docker version 28.2.2, build e6534b4\n', '28.2.2'],
    ['podman version 5.2.2\n', '5.2.2'],
    ['Emulate Docker CLI using podman. Create /etc/containers/nodocker to quiet msg.\npodman version 4.9.3\n', '4.9.3'],
    ['permission denied', undefined],
  ];
  for (const [output, expected] of cases) it(JSON.stringify(output.slice(0, 40)), () => assert.equal(parseContainerToolVersion(output), expected));
});

describe('parseOllamaHost', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'http://127.0.0.1:11434'],
    ['', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['0.0.0.0:8080', 'http://127.0.0.1:8080'],
    ['gpu-box:11500', 'http://gpu-box:11500'],
    ['gpu-box', 'http://gpu-box:11434'],
    ['http://gpu-box', 'http://gpu-box:80'],
    ['https://ollama.example.com', 'https://ollama.example.com:443'],
    ['http://10.0.0.5:11434/', 'http://10.0.0.5:11434'],
    ['https://proxy.example.com/ollama', 'https://proxy.example.com:443/ollama'],
    ['[::]:11434', 'http://[::1]:11434'],
    ['"127.0.0.1:1234"', 'http://127.0.0.1:1234'],
    ['host:99999', 'http://127.0.0.1:11434'],
  ];
  for (const [value, expected] of cases) it(`OLLAMA_HOST=${JSON.stringify(value)}`, () => assert.equal(parseOllamaHost(value), expected));
});

describe('resolveHfCacheDir', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{}, '/home/dev/.cache/huggingface/hub'],
    [{ HF_HUB_CACHE: '/data/hub', HF_HOME: '/ignored' }, '/data/hub'],
    [{ HF_HOME: '/srv/hf' }, '/srv/hf/hub'],
    [{ HF_HOME: '~/hf' }, '/home/dev/hf/hub'],
    [{ XDG_CACHE_HOME: '/var/cache/dev' }, '/var/cache/dev/huggingface/hub'],
    [{ HF_HUB_CACHE: '  ' }, '/home/dev/.cache/huggingface/hub'],
  ];
  for (const [env, expected] of cases) it(JSON.stringify(env), () => assert.equal(resolveHfCacheDir(env, '/home/dev', 'linux'), expected));

  it('uses Windows paths on win32', () => {
    assert.equal(resolveHfCacheDir({}, 'C:\\Users\\dev', 'win32'), 'C:\\Users\\dev\\.cache\\huggingface\\hub');
  });
});

describe('parseShebang', () => {
  it('splits the interpreter line', () => {
    assert.deepEqual(parseShebang('#!/opt/venv/bin/python3\n# -*- coding: utf-8 -*-\n'), ['/opt/venv/bin/python3']);
    assert.deepEqual(parseShebang('#!/usr/bin/env python3\r\nimport sys'), ['/usr/bin/env', 'python3']);
    assert.equal(parseShebang('\x7fELF...'), undefined);
  });
});
