/** `devstral health`: which servers (a URL or the registry of `devstral up`), optional --wait, the checks, --watch. */
import { DevstralError } from '../errors.js';
import { checkEndpoint } from '../health/checkEndpoint.js';
import type { EndpointReport } from '../health/endpointReport.js';
import { normalizeBaseUrl } from '../health/normalizeBaseUrl.js';
import { renderHealthChanges, renderHealthReport } from '../health/renderHealthReport.js';
import { waitForReady } from '../health/waitForReady.js';
import type { CommandArgs } from './commandSpec.js';
import { writeOut } from './output.js';
import { parsePositiveInt, parseTokens } from './parseOptions.js';
import { sleep } from '../sleep.js';

interface Target {
  url: string;
  model?: string;
  apiKey?: string;
}

const optional = (value: unknown) => (value === undefined ? undefined : String(value));

async function resolveTargets(args: CommandArgs): Promise<{ targets: Target[] }> {
  const apiKey = optional(args.apiKey) ?? (process.env.OPENAI_API_KEY || undefined);
  const model = optional(args.model);
  if (args.url !== undefined) {
    const url = String(args.url);
    try {
      normalizeBaseUrl(url);
    } catch (error) {
      throw new DevstralError('usage', (error as Error).message);
    }
    return { targets: [{ url, model, apiKey }] };
  }
  const servers = await (await import('../supervise/registry.js')).readRegistry();
  if (servers.length === 0) throw new DevstralError('unreachable', 'no server to check: none was started with devstral up or serve, and no URL was given', { hint: 'give its URL: devstral health http://127.0.0.1:8000' });
  const targets = servers.map((s) => ({ url: s.baseUrl, model: model ?? s.servedModel, apiKey: optional(args.apiKey) ?? s.apiKey ?? apiKey }));
  return { targets };
}

/** Waits for each server in turn, telling stderr when its state changes. A timeout still goes on to the check. */
async function waitForAll(targets: Target[], seconds: number, signal: AbortSignal): Promise<void> {
  for (const t of targets) {
    let last = '';
    const result = await waitForReady({
      baseUrl: t.url,
      ...(t.apiKey ? { apiKey: t.apiKey } : {}),
      deadlineMs: seconds * 1000,
      signal,
      onAttempt: (state, detail) => {
        if (state !== last) process.stderr.write(`waiting for ${t.url}: ${detail}\n`);
        last = state;
      },
    });
    if (result !== 'ready') process.stderr.write(`${t.url} is not ready after ${seconds} s; checking anyway\n`);
  }
}

function checkAll(targets: Target[], minContext: number | undefined, signal: AbortSignal): Promise<EndpointReport[]> {
  return Promise.all(targets.map((t) => checkEndpoint({ baseUrl: t.url, ...(t.apiKey ? { apiKey: t.apiKey } : {}), ...(t.model ? { model: t.model } : {}), ...(minContext ? { minContext } : {}), signal })));
}

/** Resolves false when aborted. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return sleep(ms, signal).then(
    () => true,
    () => false,
  );
}

/** One JSON document per round: every report and the verdict over all of them. */
function healthJson(reports: EndpointReport[]) {
  const verdict = reports.some((r) => r.verdict === 'unreachable') ? 'unreachable' : reports.some((r) => r.verdict === 'unhealthy') ? 'unhealthy' : 'healthy';
  return JSON.stringify({ verdict, reports });
}

/** Unreachable servers make exit code 8, else unhealthy ones 9; the report already said why. */
function verdictError(reports: EndpointReport[]): DevstralError | undefined {
  const down = reports.filter((r) => r.verdict === 'unreachable');
  if (down.length) {
    return new DevstralError('unreachable', `${down.map((r) => r.baseUrl).join(', ')} ${down.length === 1 ? 'does' : 'do'} not answer`, {
      details: down.map((r) => `${r.baseUrl}: ${r.checks[0]?.detail ?? ''}`),
      hint: 'start the server (devstral up) or check the URL; --wait SECONDS waits for a server that is starting',
      reported: true,
    });
  }
  const sick = reports.filter((r) => r.verdict === 'unhealthy');
  if (sick.length) {
    const failed = sick.flatMap((r) => r.checks.filter((c) => c.required && c.status === 'fail').map((c) => `${r.baseUrl} ${c.name}: ${c.detail}`));
    return new DevstralError('unhealthy', `${sick.map((r) => r.baseUrl).join(', ')} failed required checks`, { details: failed, hint: 'fix what the failed checks name; --json prints every check', reported: true });
  }
  return undefined;
}

export async function runHealth(args: CommandArgs): Promise<void> {
  const json = args.json === true;
  const minContext = parseTokens('min-ctx', args.minCtx);
  const wait = parsePositiveInt('wait', args.wait, 86_400);
  const watch = parsePositiveInt('watch', args.watch, 86_400);
  const { targets } = await resolveTargets(args);
  const controller = new AbortController();
  const onSignal = () => controller.abort(new DevstralError('interrupted', 'interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (wait) await waitForAll(targets, wait, controller.signal);
    let reports = await checkAll(targets, minContext, controller.signal);
    if (json) writeOut(healthJson(reports));
    else writeOut(reports.map(renderHealthReport).join('\n\n'));
    // --watch: again every N seconds, printing only what changed, until Ctrl-C; the last round decides the exit code.
    while (watch && (await pause(watch * 1000, controller.signal))) {
      let next: EndpointReport[];
      try {
        next = await checkAll(targets, minContext, controller.signal);
      } catch (error) {
        if (controller.signal.aborted) break;
        throw error;
      }
      const time = new Date().toTimeString().slice(0, 8);
      next.forEach((report, i) => {
        const lines = renderHealthChanges(reports[i]!, report, time);
        if (lines.length && !json) writeOut(lines.join('\n'));
      });
      if (json && next.some((report, i) => renderHealthChanges(reports[i]!, report, '').length)) writeOut(healthJson(next));
      reports = next;
    }
    const error = verdictError(reports);
    if (error) throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
