/** The pure parts of `devstral health`: URL normalization, the SSE parser, the verdict and the renderers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideVerdict, type CheckResult, type EndpointReport } from '../../src/health/endpointReport.ts';
import { normalizeBaseUrl } from '../../src/health/normalizeBaseUrl.ts';
import { renderHealthChanges, renderHealthReport } from '../../src/health/renderHealthReport.ts';
import { SseParser } from '../../src/health/SseParser.ts';

const check = (name: string, status: CheckResult['status'], required = true, detail = 'd'): CheckResult => ({ name, status, ms: 12, detail, required });

describe('normalizeBaseUrl', () => {
  it('root, /v1, trailing slashes, no scheme, a path prefix', () => {
    const cases: [string, string, string][] = [
      ['http://127.0.0.1:8000', 'http://127.0.0.1:8000/v1', 'http://127.0.0.1:8000'],
      ['http://127.0.0.1:8000/', 'http://127.0.0.1:8000/v1', 'http://127.0.0.1:8000'],
      ['http://127.0.0.1:8000/v1/', 'http://127.0.0.1:8000/v1', 'http://127.0.0.1:8000'],
      ['localhost:11434', 'http://localhost:11434/v1', 'http://localhost:11434'],
      ['https://example.com/api/v1', 'https://example.com/api/v1', 'https://example.com/api'],
    ];
    for (const [input, baseUrl, rootUrl] of cases) assert.deepEqual(normalizeBaseUrl(input), { baseUrl, rootUrl }, input);
    assert.throws(() => normalizeBaseUrl('ftp://x'), /only http and https/);
    assert.throws(() => normalizeBaseUrl('http://'), /not a URL/);
  });
});

describe('SseParser', () => {
  it('events across chunk boundaries, CRLF, comments, multi-line data, a last event without its blank line', () => {
    const p = new SseParser();
    const events = [...p.push(': keep-alive\r\ndata: {"a"'), ...p.push(':1}\r\n\r\nevent: x\nid: 3\ndata: line1\ndata: line2\n\nda'), ...p.push('ta: [DONE]'), ...p.end()];
    assert.deepEqual(events, [
      { kind: 'data', data: '{"a":1}', line: 2 },
      { kind: 'data', data: 'line1\nline2', line: 6 },
      { kind: 'data', data: '[DONE]', line: 9 },
    ]);
  });

  it('a line that is no SSE field is malformed', () => {
    const events = new SseParser().push('data: {}\n\n{"choices":[]}\n\n');
    assert.deepEqual(events, [
      { kind: 'data', data: '{}', line: 1 },
      { kind: 'malformed', text: '{"choices":[]}', line: 3 },
    ]);
  });
});

describe('decideVerdict', () => {
  it('unreachable, unhealthy only for a failed required check, else healthy', () => {
    assert.equal(decideVerdict([check('reachable', 'fail')]), 'unreachable');
    assert.equal(decideVerdict([check('reachable', 'pass'), check('chat', 'fail')]), 'unhealthy');
    assert.equal(decideVerdict([check('reachable', 'pass'), check('health', 'skip'), check('streaming', 'warn'), check('json-mode', 'warn', false)]), 'healthy');
  });
});

describe('renderHealthReport', () => {
  const report = (checks: CheckResult[], extra: Partial<EndpointReport> = {}): EndpointReport => ({ url: 'x', baseUrl: 'http://h/v1', verdict: decideVerdict(checks), checks, ...extra });

  it('one line per check with its mark, time and detail, then the verdict', () => {
    const text = renderHealthReport(report([check('reachable', 'pass'), check('tool-call', 'fail', true, 'leaked'), check('json-mode', 'warn', false), check('context', 'skip', false)], { model: 'm', contextLength: 4096 }));
    assert.equal(
      text,
      [
        'http://h/v1  ·  m  ·  context 4096',
        '  ✔ reachable    12 ms  d',
        '  ✖ tool-call    12 ms  leaked',
        '  ! json-mode    12 ms  d',
        '  - context             d',
        'unhealthy: tool-call failed',
      ].join('\n'),
    );
    const healthy = renderHealthReport(report([check('reachable', 'pass'), check('json-mode', 'warn', false)], { ttftMs: 15_000, tokensPerSecond: 21.5 }));
    assert.match(healthy, /\nhealthy: every required check passed; warnings: json-mode \(first token 15\.0 s, 21\.5 tokens\/s\)$/);
    assert.match(renderHealthReport(report([check('reachable', 'fail', true, 'connection refused')])), /\nunreachable: nothing else was checked/);
  });

  it('--watch prints only the checks whose status changed, and the verdict when it changed', () => {
    const before = report([check('reachable', 'pass'), check('chat', 'pass'), check('tool-call', 'pass')]);
    assert.deepEqual(renderHealthChanges(before, report([check('reachable', 'pass'), check('chat', 'pass', true, 'other detail'), check('tool-call', 'pass')]), '12:00:00'), []);
    assert.deepEqual(renderHealthChanges(before, report([check('reachable', 'pass'), check('chat', 'pass'), check('tool-call', 'fail', true, 'leaked')]), '12:00:01'), [
      '12:00:01 http://h/v1 tool-call: ✔ -> ✖ leaked',
      '12:00:01 http://h/v1 unhealthy: tool-call failed',
    ]);
    assert.deepEqual(renderHealthChanges(before, report([check('reachable', 'fail', true, 'connection refused')]), 't'), [
      't http://h/v1 reachable: ✔ -> ✖ connection refused',
      't http://h/v1 chat: ✔ -> not run',
      't http://h/v1 tool-call: ✔ -> not run',
      't http://h/v1 unreachable: nothing else was checked (start the server, or wait for it with --wait SECONDS)',
    ]);
  });
});
