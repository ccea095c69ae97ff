/**
 * `devstral serve` refuses what it cannot serve before it opens a port, with the reason and the fix, in a pipe as on
 * a terminal: a truncated or half-downloaded GGUF, a context past the trained one.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/startServe.ts';
import { buildTinyGguf } from '../support/writeTinyGguf.ts';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let dir: string;
let size: number;
let dataOffset: number;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'devstral-serve-errors-'));
  const tiny = buildTinyGguf();
  size = tiny.bytes.length;
  dataOffset = tiny.summary.tensorDataOffset;
  writeFileSync(join(dir, 'whole.gguf'), tiny.bytes);
  writeFileSync(join(dir, 'partial.gguf'), tiny.bytes);
  truncateSync(join(dir, 'partial.gguf'), Math.floor(size * 0.7));
  writeFileSync(join(dir, 'header.gguf'), tiny.bytes.subarray(0, Math.floor(dataOffset / 2)));
});

const serve = async (...args: string[]) => {
  const port = await freePort();
  return new Promise<{ code: number; err: string }>((resolve) =>
    execFile(process.execPath, [bin, 'serve', '--port', String(port), '--threads', '1', ...args], { encoding: 'utf8', timeout: 60_000 }, (error, _out, err) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, err })),
  );
};

describe('devstral serve refuses what it cannot serve', () => {
  it('a half-downloaded GGUF: truncated at N of M bytes, run devstral pull again; no llama.cpp noise', async () => {
    const r = await serve('--model', join(dir, 'partial.gguf'));
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, new RegExp(`truncated at ${Math.floor(size * 0.7)} of ${size} bytes`));
    assert.match(r.err, /devstral pull again/);
    assert.doesNotMatch(r.err, /llama\.cpp|listening|memory/);
  });

  it('a GGUF cut inside its header', async () => {
    const r = await serve('--model', join(dir, 'header.gguf'));
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /inside its header/);
    assert.match(r.err, /devstral pull again/);
  });

  it('--ctx past the trained context is refused with the largest that works', async () => {
    const r = await serve('--model', join(dir, 'whole.gguf'), '--ctx', '999999');
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /--ctx 999999 is past the 4096 tokens whole\.gguf was trained for/);
    assert.match(r.err, /--ctx 4096 or less/);
  });
});
