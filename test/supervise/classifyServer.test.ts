import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUptime } from '../../src/cli/render/renderServerStatus.js';
import { classifyServer, rootUrlOf, type ProbeAnswer } from '../../src/supervise/probeServer.js';

describe('classifyServer', () => {
  const cases: [boolean | undefined, ProbeAnswer, ProbeAnswer, string][] = [
    [false, 200, 200, 'dead'],
    [true, 200, 200, 'ready'],
    [true, 404, 200, 'ready'], // Ollama: no /health
    [true, 'none', 'none', 'starting'], // vLLM while loading: no HTTP at all
    [true, 503, 503, 'starting'], // llama.cpp-style servers while loading
    [true, 503, 'none', 'starting'],
    [true, 500, 500, 'unhealthy'],
    [true, 'none', 401, 'unhealthy'],
    [undefined, 'none', 'none', 'dead'], // a reused server without a pid that no longer answers
    [undefined, 404, 200, 'ready'],
  ];
  for (const [alive, health, models, state] of cases) {
    it(`alive ${alive}, health ${health}, models ${models} -> ${state}`, () => assert.equal(classifyServer(alive, health, models).state, state));
  }

  it('root URL and uptime', () => {
    assert.equal(rootUrlOf('http://127.0.0.1:8000/v1'), 'http://127.0.0.1:8000');
    assert.equal(rootUrlOf('http://[::1]:8000/v1/'), 'http://[::1]:8000');
    assert.deepEqual([5_000, 65_000, 3_723_000, 90_000_000].map(formatUptime), ['5s', '1m 5s', '1h 2m', '1d 1h']);
  });
});
