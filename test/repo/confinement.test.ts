import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { GUARD_ACTIVE, REPO_ROOT } from '../support/confineToRepo.ts';

// The suite runs from a fresh clone: nothing in it may depend on a file beside the repository.
describe('the repository is self-contained', () => {
  const beside = join(dirname(REPO_ROOT), 'shared', 'reference', 'anything.txt');

  it('a test that opens a file beside the repository fails (the guard every test process loads)', { skip: !GUARD_ACTIVE && 'the repository sits at / or directly in the temp dir: only the static scan below applies' }, async () => {
    assert.throws(() => readFileSync(beside), { code: 'ERR_OUTSIDE_REPO' });
    assert.throws(() => readFileSync(new URL(`file://${beside}`)), { code: 'ERR_OUTSIDE_REPO' });
    await assert.rejects(readFile(beside), { code: 'ERR_OUTSIDE_REPO' });
    assert.throws(() => readdirSync(join(REPO_ROOT, '..')), { code: 'ERR_OUTSIDE_REPO' });
    assert.doesNotThrow(() => readFileSync(join(REPO_ROOT, 'package.json')));
  });

  it('no source, script or test names a path that climbs out of the repository', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(REPO_ROOT)) {
      const text = readFileSync(file, 'utf8');
      // Plain literals only: a template such as `../../blobs/${sha}` is data (a symlink's target), not a path opened.
      for (const [, literal] of text.matchAll(/['"`]((?:\.\.\/)+[^'"`$]*)['"`]/g)) {
        const target = resolve(dirname(file), literal!);
        if (target !== REPO_ROOT && !target.startsWith(REPO_ROOT + sep)) offenders.push(`${relative(REPO_ROOT, file)}: ${literal}`);
      }
      if (/['"`][^'"`\n]*shared\/reference/.test(text) && !file.endsWith('confinement.test.ts')) offenders.push(`${relative(REPO_ROOT, file)}: shared/reference`);
    }
    assert.deepEqual(offenders, []);
  });
});

function* sourceFiles(root: string): Generator<string> {
  for (const top of ['src', 'test', 'scripts', 'bin']) yield* walk(join(root, top));
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name)) yield path;
  }
}
