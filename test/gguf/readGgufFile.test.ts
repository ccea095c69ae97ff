import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readGgufFile } from '../../src/gguf/readGgufFile.js';
import { GgufParseError, parseGgufHeader } from '../../src/gguf/parseGgufHeader.js';
import { summarizeGguf } from '../../src/gguf/summarizeGguf.js';
import { gguf, writeTinyGguf, type TinyGguf } from '../support/writeTinyGguf.js';

describe('readGgufFile', () => {
  let dir = '';
  let tiny: TinyGguf & { path: string };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'devstral-gguf-'));
    tiny = await writeTinyGguf(join(dir, 'tiny.gguf'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads the header of a local file', async () => {
    const header = await readGgufFile(tiny.path);
    assert.deepEqual(header, parseGgufHeader(tiny.bytes));
    assert.equal(summarizeGguf(header).parameterCount, tiny.summary.parameterCount);
  });

  it('reads longer prefixes until the header is complete', async () => {
    const big = await writeTinyGguf(join(dir, 'big.gguf'), {
      extraMetadata: [['test.filler', gguf.strings(Array.from({ length: 20_000 }, (_, i) => `filler-${i}`))]],
    });
    for (const initialBytes of [1, 100, 4096, 1024 * 1024]) {
      const header = await readGgufFile(big.path, { initialBytes });
      assert.equal(header.tensorDataOffset, big.summary.tensorDataOffset, `initialBytes ${initialBytes}`);
    }
  });

  it('says when a file ends inside its header', async () => {
    const path = join(dir, 'truncated.gguf');
    await writeFile(path, tiny.bytes.subarray(0, 3000));
    await assert.rejects(readGgufFile(path), (e: unknown) => e instanceof GgufParseError && /ends after 3000 bytes, inside its header/.test(e.message));
    await writeFile(path, new Uint8Array(0));
    await assert.rejects(readGgufFile(path), /ends after 0 bytes/);
  });

  it('rejects a file that is not GGUF', async () => {
    const path = join(dir, 'page.html');
    await writeFile(path, '<!DOCTYPE html><title>Not found</title>');
    await assert.rejects(readGgufFile(path), /bad magic/);
  });

  it('gives up on a header larger than maxHeaderBytes', async () => {
    await assert.rejects(readGgufFile(tiny.path, { initialBytes: 64, maxHeaderBytes: 1000 }), /header larger than 1000 bytes/);
  });
});
