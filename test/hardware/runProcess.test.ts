import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runProcess } from '../../src/hardware/runProcess.js';

describe('runProcess (the real exec)', { skip: process.platform === 'win32' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'devstral-exec-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { PATH: `${dir}:${process.env.PATH ?? ''}` };

  it('returns exit code, stdout and stderr', async () => {
    writeFileSync(join(dir, 'talk'), '#!/bin/sh\necho "out $1"\necho err >&2\nexit 3\n', { mode: 0o755 });
    assert.deepEqual(await runProcess('talk', ['a b'], { timeoutMs: 5000, env }), { kind: 'exited', exitCode: 3, stdout: 'out a b\n', stderr: 'err\n' });
  });

  it('looks the command up on the PATH it is given', async () => {
    writeFileSync(join(dir, 'only-here'), '#!/bin/sh\necho found\n', { mode: 0o755 });
    assert.equal((await runProcess('only-here', [], { timeoutMs: 5000, env })).kind, 'exited');
    assert.equal((await runProcess('only-here', [], { timeoutMs: 5000, env: { PATH: '/nonexistent' } })).kind, 'missing');
  });

  it('not on PATH is "missing"; not executable is "failed"', async () => {
    assert.deepEqual(await runProcess('devstral-no-such-tool', [], { timeoutMs: 5000, env }), { kind: 'missing', reason: 'devstral-no-such-tool not found on PATH' });
    writeFileSync(join(dir, 'noexec'), '#!/bin/sh\n', { mode: 0o644 });
    assert.equal((await runProcess(join(dir, 'noexec'), [], { timeoutMs: 5000, env })).kind, 'failed');
  });

  it('kills a child that outlives its timeout', async () => {
    const outcome = await runProcess('/bin/sh', ['-c', 'exec sleep 30'], { timeoutMs: 100, env });
    assert.deepEqual(outcome, { kind: 'timeout', reason: '/bin/sh did not finish within 0.1 s' });
  });
});
