/** `devstral bench`: which endpoint and model, the run, the table, and the history file. */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { request } from '../net/undici.js';
import { renderBench, renderHistory, type BenchRun } from '../bench/renderBench.js';
import { runBench } from '../bench/runBench.js';
import type { Workload } from '../bench/workloads.js';
import { DevstralError } from '../errors.js';
import { normalizeBaseUrl } from '../health/normalizeBaseUrl.js';
import type { CommandArgs } from './commandSpec.js';
import { writeOut } from './output.js';
import { parsePositiveInt, parseTokens } from './parseOptions.js';

async function historyFile(): Promise<string> {
  return join((await import('../supervise/registry.js')).stateDir(), 'bench-history.jsonl');
}

async function endpoint(args: CommandArgs): Promise<{ baseUrl: string; apiKey?: string; model?: string }> {
  const apiKey = args.apiKey === undefined ? process.env.OPENAI_API_KEY || undefined : String(args.apiKey);
  if (args.url !== undefined) return { baseUrl: normalizeBaseUrl(String(args.url)).baseUrl, ...(apiKey ? { apiKey } : {}) };
  const servers = await (await import('../supervise/registry.js')).readRegistry();
  if (servers.length !== 1) {
    throw new DevstralError('usage', servers.length ? `${servers.length} servers run: say which URL to benchmark` : 'no server started with devstral up: give a URL', {
      hint: servers.length ? servers.map((s) => s.baseUrl).join(', ') : 'e.g. devstral bench http://127.0.0.1:8000',
    });
  }
  const s = servers[0]!;
  return { baseUrl: s.baseUrl, model: s.servedModel, ...((apiKey ?? s.apiKey) ? { apiKey: apiKey ?? s.apiKey } : {}) };
}

async function onlyModel(baseUrl: string, apiKey: string | undefined): Promise<string> {
  let response;
  try {
    response = await request(`${baseUrl}/models`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, headersTimeout: 10_000, bodyTimeout: 10_000 });
  } catch (error) {
    throw new DevstralError('unreachable', `${baseUrl} does not answer (${(error as { code?: string }).code ?? (error as Error).message})`, { hint: 'check the URL; `devstral health URL --wait 60` waits for a starting server' });
  }
  const body = (await response.body.json().catch(() => ({}))) as { data?: { id: string }[] };
  const ids = body.data?.map((m) => m.id) ?? [];
  if (response.statusCode === 401) throw new DevstralError('usage', `${baseUrl} needs an API key`, { hint: 'give --api-key or set OPENAI_API_KEY' });
  if (ids.length !== 1) throw new DevstralError('usage', ids.length ? `${baseUrl} serves ${ids.length} models: choose one with --model` : `${baseUrl} lists no model`, { hint: ids.join(', ') || 'check the server' });
  return ids[0]!;
}

export async function runBenchCommand(args: CommandArgs): Promise<void> {
  if (args.history) {
    const text = await readFile(await historyFile(), 'utf8').catch(() => '');
    const runs = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as BenchRun);
    return writeOut(args.json ? JSON.stringify(runs, null, 2) : renderHistory(runs));
  }
  const workload = String(args.workload ?? 'random');
  if (workload !== 'random' && workload !== 'agent') throw new DevstralError('usage', `--workload ${workload}: use random or agent`);
  const concurrency = String(args.concurrency ?? '1,4').split(',').map((c) => parsePositiveInt('concurrency', c.trim(), 1024)!);
  const promptTokens = parseTokens('prompt-tokens', args.promptTokens) ?? 256;
  const maxTokens = parsePositiveInt('max-tokens', args.maxTokens, 1_000_000) ?? 128;
  const requestsArg = parsePositiveInt('requests', args.requests, 100_000);
  const target = await endpoint(args);
  const model = args.model === undefined ? (target.model ?? (await onlyModel(target.baseUrl, target.apiKey))) : String(args.model);

  const levels = [];
  for (const c of concurrency) {
    if (!args.json) process.stderr.write(`concurrency ${c}...\n`);
    levels.push(...(await runBench({ baseUrl: target.baseUrl, model, ...(target.apiKey ? { apiKey: target.apiKey } : {}), concurrency: [c], requests: requestsArg ?? Math.max(4, 2 * c), promptTokens, maxTokens, workload: workload as Workload })));
  }
  const run: BenchRun = { time: new Date().toISOString(), url: target.baseUrl, model, workload, promptTokens, maxTokens, levels };
  const file = await historyFile();
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(run)}\n`);
  writeOut(args.json ? JSON.stringify(run, null, 2) : `${target.baseUrl}  ·  ${model}  ·  ${workload}, ~${promptTokens} prompt tokens, ${maxTokens} output tokens\n\n${renderBench(levels)}\n\n(appended to ${file}; compare with devstral bench --history)`);
  if (levels.every((l) => l.errors === l.requests)) {
    throw new DevstralError('unhealthy', 'every request failed', { details: levels.flatMap((l) => l.errorSamples), hint: 'run `devstral health` on the endpoint' });
  }
}
