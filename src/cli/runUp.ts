/**
 * `devstral up`: detect -> plan (shown, confirmed) -> pull -> start -> wait until ready -> smoke test ->
 * summary. Foreground by default (Ctrl-C stops everything, and says what it stopped and kept); --detach leaves the
 * server to `devstral down`. Progress goes to stderr, results (the plan of --dry-run, the checks, how to connect)
 * to stdout.
 */
import { createInterface } from 'node:readline/promises';
import { DevstralError } from '../errors.js';
import type { EndpointReport } from '../health/endpointReport.js';
import { normalizeBaseUrl } from '../health/normalizeBaseUrl.js';
import { formatGiB } from '../plan/estimateMemory.js';
import { clientHost, hostPort } from '../runtimes/hostPort.js';
import type { GatewayFront } from '../up/gatewayFront.js';
import type { CommandArgs } from './commandSpec.js';
import { writeOut } from './output.js';
import { parsePositiveInt } from './parseOptions.js';
import { createStages } from './upStages.js';

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function runUp(args: CommandArgs): Promise<void> {
  // Ctrl-C at any stage: whatever was started is stopped (the handler is in place before anything starts).
  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await up(args, interrupted.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function up(args: CommandArgs, interrupted: AbortSignal): Promise<void> {
  const json = args.json === true;
  // Context and progress on stderr; with --json stdout carries one JSON document and nothing else.
  const say = (line: string) => void (json || process.stderr.write(`${line}\n`));
  const result = (text: string) => void (json || writeOut(text));
  // Progress on stderr even with --json (stdout stays one JSON document).
  const stages = createStages(process.stderr.isTTY && !json ? 'tty' : 'lines');
  const name = String(args.name ?? 'devstral');
  const readyTimeoutS = parsePositiveInt('ready-timeout', args.readyTimeout, 24 * 3600);

  // 1-2. Detect and plan.
  const [{ loadPlan }, registry] = await Promise.all([import('./loadPlan.js'), import('../supervise/registry.js')]);
  registry.assertServerName(name);
  const { plan: first, model, facts, serve, options } = await loadPlan({ ...args, port: args.port === 'auto' ? undefined : args.port });
  if (first.nodes > 1) {
    throw new DevstralError('usage', `--nodes ${first.nodes}: up starts a server on this machine only`, { hint: 'print every node\'s command with devstral command --nodes N, or write units with devstral deploy --target systemd --nodes N' });
  }
  // The port: a busy one is an error naming its owner; auto picks a free one. A running Ollama is reused as it is.
  let plan = first;
  const reusing = plan.runtime === 'ollama' && plan.command.argv.length === 0;
  let front: GatewayFront | undefined;
  if (!args.dryRun) {
    const { resolvePort, firstFreePort } = await import('../up/resolvePort.js');
    const planned = Number(new URL(plan.endpoint.baseUrl).port);
    if (!reusing) {
      const port = await resolvePort(serve.host, args.port === 'auto' ? 'auto' : planned, planned);
      if (port !== planned) plan = (await import('../plan/planLaunch.js')).planLaunch(facts, model, options, { ...serve, port });
    }
    // vLLM and Ollama get the gateway in front (Anthropic Messages and Responses too): vLLM moves to a loopback
    // port of its own; Ollama keeps its port (its own CLI talks to it) and the gateway takes the first free one from 8000.
    if (plan.runtime !== 'llamacpp') {
      const port = Number(new URL(plan.endpoint.baseUrl).port);
      front = plan.runtime === 'vllm'
        ? { host: serve.host, port, backendPort: await resolvePort('127.0.0.1', 'auto', 0), servedModel: plan.endpoint.model, contextLength: plan.contextLength }
        : { host: serve.host, port: await firstFreePort(serve.host, 8000), backendPort: port, servedModel: plan.endpoint.model, contextLength: plan.contextLength };
    }
    await registry.claimServer({ name, host: serve.host, port: front?.port ?? Number(new URL(plan.endpoint.baseUrl).port) });
  }
  const { renderPlan } = await import('./render/renderPlan.js');
  if (args.dryRun) {
    // The plan is what a dry run produces: stdout.
    writeOut(json ? JSON.stringify({ dryRun: true, plan }, null, 2) : renderPlan(plan, model, facts));
    return;
  }
  say(renderPlan(plan, model, facts));

  // What the first run will download, said before the question.
  let modelPath: string | undefined = plan.artifact.source.startsWith('file:') ? plan.artifact.source.slice(5) : undefined;
  const needsPull = plan.runtime !== 'ollama' && !modelPath;
  const pull = await import('../up/pullForPlan.js');
  const cached = needsPull && (await pull.weightsCached(plan, model));
  // Said even with --json (on stderr, like progress): a download of many GiB is not a surprise.
  const tell = (line: string) => process.stderr.write(`${line}\n`);
  if (needsPull) tell(cached ? '\nThe weights are already in the Hugging Face cache.' : `\nThis downloads ${formatGiB(plan.artifact.bytes)} (${plan.artifact.source}) into the Hugging Face cache; an interrupted download resumes.`);
  if (plan.runtime === 'ollama') tell(`\nOllama pulls ${plan.artifact.ollama} (${formatGiB(plan.artifact.bytes)}) unless it has it.`);
  if (!args.yes && process.stdin.isTTY && process.stderr.isTTY && !(await confirm('\nStart it? [y/N] '))) {
    throw new DevstralError('usage', 'not started', { hint: 'run again with --yes to skip the question' });
  }

  // 3. Pull what the plan needs (Ollama pulls through its own server, after it starts).
  if (needsPull) {
    const { createPullProgress } = await import('./pullProgress.js');
    const progress = createPullProgress(json ? 'json' : process.stderr.isTTY ? 'tty' : 'lines');
    let onDisk = 0;
    try {
      modelPath = await pull.pullForPlan(plan, model, {
        signal: interrupted,
        onEvent: (event) => {
          if (event.type === 'progress') onDisk = event.bytes;
          if (!json) progress.onEvent(event);
        },
      });
      await progress.close();
    } catch (error) {
      await progress.close(error);
      if (!interrupted.aborted) throw error;
      throw new DevstralError('interrupted', `interrupted: the download of ${plan.artifact.source} stopped; nothing was started`, {
        hint: `the ${formatGiB(onDisk)} downloaded so far are kept: devstral up (or devstral pull) resumes from there`,
      });
    }
  }

  // 4. Start.
  const { startServer } = await import('../up/startServer.js');
  const logPath = registry.serverLogPath(name);
  const gateway = front ? { front, ...(serve.apiKey ? { apiKey: serve.apiKey } : {}) } : {};
  let started = await startServer({ plan, facts, ...(modelPath ? { modelPath } : {}), logPath, ...gateway });
  // Where clients connect: the gateway in front, or the server itself.
  const baseUrl = front ? `http://${hostPort(clientHost(front.host), front.port)}/v1` : plan.endpoint.baseUrl;
  const record = () => ({
    name,
    runtime: plan.runtime,
    pid: started.process?.pid ?? 0,
    pgid: started.process?.pid ?? 0,
    host: serve.host,
    port: Number(new URL(baseUrl).port),
    baseUrl,
    model: plan.artifact.source,
    servedModel: plan.endpoint.model,
    ...(serve.apiKey ? { apiKey: serve.apiKey } : {}),
    logPath,
    startedAt: new Date().toISOString(),
    command: started.command,
    ...(started.reused ? { reused: true } : {}),
  });
  if (!started.reused) await registry.writeRecord(record());
  const { stopProcessGroup } = await import('../supervise/startProcess.js');
  const stop = async () => {
    if (started.process && !started.reused) await stopProcessGroup(started.process.pid, { timeoutMs: 15000 });
    await registry.removeRecord(name);
  };
  const what = () => `${plan.runtime} server${started.process ? ` (pid ${started.process.pid})` : ''}`;
  const kept = modelPath ? `the weights stay where they are (${modelPath})` : 'the weights stay in the cache';

  let smoke: EndpointReport | undefined;
  try {
    // 5. Wait until it really serves (vLLM: minutes, while the log shows progress).
    const { waitUntilServing, ServerFailed } = await import('../up/waitUntilServing.js');
    const timeoutMs = (readyTimeoutS ?? (plan.runtime === 'vllm' ? 900 : 300)) * 1000;
    say(`\nLog: ${logPath}`);
    const wait = () =>
      stages.run(`Starting ${plan.runtime} and loading the model`, (detail) =>
        waitUntilServing({
          baseUrl,
          ...(serve.apiKey ? { apiKey: serve.apiKey } : {}),
          ...(started.reused ? {} : { logPath }),
          timeoutMs,
          isAlive: () => started.reused || (started.process?.isAlive() ?? false),
          signal: interrupted,
          onProgress: (line) => detail(`loading: ${line}`),
        }),
      );
    try {
      await wait();
    } catch (error) {
      const retry = error instanceof ServerFailed ? error.diagnosis?.retryContext : undefined;
      if (!retry || !args.autoRetry || plan.runtime !== 'vllm') {
        if (retry && plan.runtime === 'vllm') throw new DevstralError('server', error instanceof Error ? error.message : String(error), { details: (error as DevstralError).details, hint: `run again with --ctx ${retry}, or add --auto-retry` });
        throw error;
      }
      say(`  vLLM fits ${retry} tokens: retrying once with --max-model-len ${retry}`);
      await stop();
      started = await startServer({ plan, facts, logPath, contextLength: retry, ...(front ? { ...gateway, front: { ...front, contextLength: retry } } : {}) });
      await registry.writeRecord(record());
      await wait();
    }
    interrupted.throwIfAborted();
    if (plan.runtime === 'ollama') {
      const { setupOllama } = await import('../up/setupOllama.js');
      say(`Pulling ${plan.artifact.ollama} into Ollama and creating ${plan.endpoint.model} (context ${plan.contextLength})`);
      const { createPullProgress } = await import('./pullProgress.js');
      const progress = createPullProgress(json ? 'json' : process.stderr.isTTY ? 'tty' : 'lines');
      try {
        await setupOllama(normalizeBaseUrl(plan.endpoint.baseUrl).rootUrl, plan, model.sampling.temperature, json ? undefined : (e) => progress.onEvent(e));
      } finally {
        await progress.close();
      }
    }

    // 6. Smoke test: a chat, a forced tool call, a stream. The same rule for the context as `devstral health`.
    if (args.smoke !== false) {
      const { checkEndpoint } = await import('../health/checkEndpoint.js');
      smoke = await stages.run('Smoke test: chat, forced tool call, stream, JSON', () => checkEndpoint({ baseUrl, model: plan.endpoint.model, signal: interrupted, ...(serve.apiKey ? { apiKey: serve.apiKey } : {}) }));
      const { renderHealthReport } = await import('../health/renderHealthReport.js');
      result(`\n${renderHealthReport(smoke)}`);
      if (smoke.verdict !== 'healthy') throw new DevstralError('server', `the server started but failed its smoke test (${smoke.verdict})`, { hint: `see the checks above and the log: ${logPath}; --no-smoke skips the test` });
    }
  } catch (error) {
    await stop().catch(() => undefined);
    if (!interrupted.aborted) throw error;
    throw new DevstralError('interrupted', `interrupted: the ${what()} was stopped, with everything it started`, { hint: `${kept}; devstral up starts it again` });
  }

  // 7. Summary.
  const { renderConnectInfo } = await import('../up/renderConnectInfo.js');
  const info = { baseUrl, model: plan.endpoint.model, contextLength: plan.contextLength, ...(serve.apiKey ? { apiKey: serve.apiKey } : {}) };
  if (json) {
    writeOut(JSON.stringify({ name, runtime: plan.runtime, ...info, pid: started.process?.pid ?? null, logPath, detached: args.detach === true, ...(smoke ? { checks: smoke.checks } : {}) }, null, 2));
  } else {
    result(`\nReady: ${plan.runtime} serves "${plan.endpoint.model}" at ${baseUrl}\n`);
    result(renderConnectInfo(info, name));
    say(args.detach ? `\nRunning in the background: devstral status | devstral logs ${name} | devstral down ${name}` : '\nPress Ctrl-C to stop.');
  }
  if (args.detach || started.reused) return;

  // Foreground: Ctrl-C or SIGTERM stops the server and everything it started. The server is a detached child
  // (so a crash of ours does not take it down mid-write), which does not keep us alive: a timer does.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    const exit = await Promise.race([
      new Promise<'interrupted'>((resolve) => (interrupted.aborted ? resolve('interrupted') : interrupted.addEventListener('abort', () => resolve('interrupted'), { once: true }))),
      started.process ? started.process.exited : new Promise<never>(() => undefined),
    ]);
    if (exit === 'interrupted') {
      await stop();
      process.stderr.write(`\nStopped the ${what()} and everything it started; ${kept}.\n`);
      return;
    }
    const { readLogTail } = await import('../up/waitUntilServing.js');
    const { diagnoseLog } = await import('../up/diagnoseLog.js');
    await registry.removeRecord(name);
    const diagnosis = diagnoseLog(await readLogTail(logPath));
    throw new DevstralError('server', `the server stopped (${exit.signal ?? `exit code ${exit.code}`})${diagnosis ? `: ${diagnosis.problem}` : ''}`, {
      details: diagnosis?.lines ?? [],
      hint: diagnosis?.hint ?? `see the log: ${logPath}`,
    });
  } finally {
    clearInterval(keepAlive);
  }
}
