import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cachedVersions } from '../../src/hardware/cachedVersions.ts';
import type { ExecFn } from '../../src/hardware/detectDeps.ts';

describe('cachedVersions', () => {
  it('answers a version question again from the cache while the binary is the same, and asks again when it changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devstral-versions-'));
    const tool = join(dir, 'ollama');
    writeFileSync(tool, '#!/bin/sh\n');
    chmodSync(tool, 0o755);
    let calls = 0;
    let answer = 'ollama version is 0.13.0';
    const exec: ExecFn = async () => (calls++, { kind: 'exited', exitCode: 0, stdout: answer, stderr: '' });
    const cachePath = join(dir, 'cache', 'versions.json');
    const options = { timeoutMs: 1000, env: { PATH: dir } };
    const first = cachedVersions(exec, cachePath);
    assert.deepEqual(await first('ollama', ['--version'], options), { kind: 'exited', exitCode: 0, stdout: 'ollama version is 0.13.0', stderr: '' });
    // A new process (a new run) reads the same answer from the file.
    const second = cachedVersions(exec, cachePath);
    assert.equal(((await second('ollama', ['--version'], options)) as { stdout: string }).stdout, 'ollama version is 0.13.0');
    assert.equal(calls, 1);
    // An upgrade rewrites the binary: asked again.
    answer = 'ollama version is 0.14.0';
    utimesSync(tool, new Date(), new Date(Date.now() + 5000));
    assert.equal(((await cachedVersions(exec, cachePath)('ollama', ['--version'], options)) as { stdout: string }).stdout, 'ollama version is 0.14.0');
    assert.equal(calls, 2);
  });

  it('keeps no failed answer, and asks directly for a tool that is not there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devstral-versions-'));
    let calls = 0;
    const exec: ExecFn = async () => (calls++, { kind: 'exited', exitCode: 1, stdout: '', stderr: 'boom' });
    const versions = cachedVersions(exec, join(dir, 'v.json'));
    writeFileSync(join(dir, 'docker'), '');
    await versions('docker', ['--version'], { timeoutMs: 1000, env: { PATH: dir } });
    await versions('docker', ['--version'], { timeoutMs: 1000, env: { PATH: dir } });
    await versions('podman', ['--version'], { timeoutMs: 1000, env: { PATH: dir } });
    assert.equal(calls, 3);
  });
});
