import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidServerName, resolveStateDir } from '../../src/supervise/stateDir.js';

describe('resolveStateDir', () => {
  const cases: [string, Parameters<typeof resolveStateDir>[0], string][] = [
    ['Linux XDG_STATE_HOME', { env: { XDG_STATE_HOME: '/x/state' }, platform: 'linux', homedir: '/home/u' }, '/x/state/devstral'],
    ['Linux default', { env: {}, platform: 'linux', homedir: '/home/u' }, '/home/u/.local/state/devstral'],
    ['Linux relative XDG ignored', { env: { XDG_STATE_HOME: 'rel' }, platform: 'linux', homedir: '/home/u' }, '/home/u/.local/state/devstral'],
    ['macOS', { env: { XDG_STATE_HOME: '/x' }, platform: 'darwin', homedir: '/Users/u' }, '/Users/u/Library/Application Support/devstral'],
    ['Windows LOCALAPPDATA', { env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', homedir: 'C:\\Users\\u' }, 'C:\\Users\\u\\AppData\\Local\\devstral'],
    ['Windows default', { env: {}, platform: 'win32', homedir: 'C:\\Users\\u' }, 'C:\\Users\\u\\AppData\\Local\\devstral'],
    ['override', { env: { DEVSTRAL_STATE_DIR: '/tmp/s', XDG_STATE_HOME: '/x' }, platform: 'linux', homedir: '/home/u' }, '/tmp/s'],
  ];
  for (const [title, input, expected] of cases) it(title, () => assert.equal(resolveStateDir(input), expected));

  it('server names are safe file names', () => {
    for (const ok of ['devstral', 'a', 'vllm-2', 'x.y_z']) assert.ok(isValidServerName(ok), ok);
    for (const bad of ['', '.hidden', '../x', 'a/b', 'a b', 'x'.repeat(65)]) assert.ok(!isValidServerName(bad), bad);
  });
});
