/**
 * `devstral up`: detect -> plan (shown, confirmed) -> pull -> start -> wait until ready -> smoke test ->
 * summary. Foreground by default (Ctrl-C stops everything); --detach leaves the server to `devstral down`.
 */
import { createInterface } from 'node:readline/promises';
import { DevstralError } from '../errors.js';
import { normalizeBaseUrl } from '../health/normalizeBaseUrl.js';
import { clientHost, hostPort } from '../runtimes/hostPort.js';
import type { EndpointReport } from '../health/endpointReport.js';
import type { GatewayFront } from '../up/gatewayFront.js';
import type { CommandArgs } from './commandSpec.js';
import { writeOut } from './output.js';
import { parsePositiveInt } from './parseOptions.js';

const say = (json: boolean) => (line: string) => {
  if (!json) process.stderr.write(`${line}\n`);
};

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

const interruptedError = () => new DevstralError('interrupted', 'interrupted: everything devstral up started was stopped', { hint: 'run devstral up again; downloads resume' });

async function up(args: CommandArgs, interrupted: AbortSignal): Promise<void> {
  const json = args.json === true;
  const log = say(json);
  const name = String(args.name ?? 'devstral');
  const readyTimeoutS = parsePositiveInt('ready-timeout', args.readyTimeout, 24 * 3600);

  // 1-2. Detect and plan.
  const [{ loadPlan }, registry] = await Promise.all([import('./loadPlan.js'), import('../supervise/registry.js')]);
  registry.assertServerName(name);
  const { plan: first, model, facts, serve, options } = await loadPlan({ ...args, port: args.port === 'auto' ? undefined : args.port });
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
  if (!json) log(renderPlan(plan, model, facts));
  if (args.dryRun) {
    if (json) writeOut(JSON.stringify({ dryRun: true, plan }, null, 2));
    return;
  }
  if (!args.yes && process.stdin.isTTY && process.stderr.isTTY && !(await confirm('\nStart it? [y/N] '))) {
    throw new DevstralError('usage', 'not started', { hint: 'run again with --yes to skip the question' });
  }

  // 3. Pull what the plan needs (Ollama pulls through its own server, after it starts).
  let modelPath: string | undefined = plan.artifact.source.startsWith('file:') ? plan.artifact.source.slice(5) : undefined;
  if (plan.runtime !== 'ollama' && !modelPath) {
    log(`\nDownloading ${plan.artifact.source} (${(plan.artifact.bytes / 1024 ** 3).toFixed(1)} GiB; resumable)`);
    const { runPullForPlan } = await import('../up/pullForPlan.js');
    modelPath = await runPullForPlan(plan, model, json, interrupted);
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

  let smoke: EndpointReport | undefined;
  try {
    // 5. Wait until it really serves (vLLM: minutes, while the log shows progress).
    const { waitUntilServing, ServerFailed } = await import('../up/waitUntilServing.js');
    const timeoutMs = (readyTimeoutS ?? (plan.runtime === 'vllm' ? 900 : 300)) * 1000;
    log(`\nStarting ${plan.runtime} (log: ${logPath})`);
    const wait = () =>
      waitUntilServing({
        baseUrl,
        ...(serve.apiKey ? { apiKey: serve.apiKey } : {}),
        ...(started.reused ? {} : { logPath }),
        timeoutMs,
        isAlive: () => started.reused || (started.process?.isAlive() ?? false),
        signal: interrupted,
        // Progress goes to stderr even with --json: stdout stays one JSON document.
        onProgress: (line) => process.stderr.write(`  loading: ${line}\n`),
      });
    try {
      await wait();
    } catch (error) {
      const retry = error instanceof ServerFailed ? error.diagnosis?.retryContext : undefined;
      if (!retry || !args.autoRetry || plan.runtime !== 'vllm') {
        if (retry && plan.runtime === 'vllm') throw new DevstralError('server', error instanceof Error ? error.message : String(error), { details: (error as DevstralError).details, hint: `run again with --ctx ${retry}, or add --auto-retry` });
        throw error;
      }
      log(`  vLLM fits ${retry} tokens: retrying once with --max-model-len ${retry}`);
      await stop();
      started = await startServer({ plan, facts, logPath, contextLength: retry, ...(front ? { ...gateway, front: { ...front, contextLength: retry } } : {}) });
      await registry.writeRecord(record());
      await wait();
    }
    interrupted.throwIfAborted();
    if (plan.runtime === 'ollama') {
      const { setupOllama } = await import('../up/setupOllama.js');
      log(`Pulling ${plan.artifact.ollama} into Ollama and creating ${plan.endpoint.model} (context ${plan.contextLength})`);
      const { createPullProgress } = await import('./pullProgress.js');
      const progress = createPullProgress(json ? 'json' : process.stderr.isTTY ? 'tty' : 'lines');
      try {
        await setupOllama(normalizeBaseUrl(plan.endpoint.baseUrl).rootUrl, plan, model.sampling.temperature, json ? undefined : (e) => progress.onEvent(e));
      } finally {
        await progress.close();
      }
    }

    // 6. Smoke test: a chat, a forced tool call, a stream.
    if (args.smoke !== false) {
      const { checkEndpoint } = await import('../health/checkEndpoint.js');
      // The same rule as `devstral health`: below what an agent needs is a warning, whatever the plan chose.
      smoke = await checkEndpoint({ baseUrl, model: plan.endpoint.model, signal: interrupted, ...(serve.apiKey ? { apiKey: serve.apiKey } : {}) });
      const { renderHealthReport } = await import('../health/renderHealthReport.js');
      if (!json) log(`\n${renderHealthReport(smoke)}`);
      if (smoke.verdict !== 'healthy') throw new DevstralError('server', `the server started but failed its smoke test (${smoke.verdict})`, { hint: `see the checks above and the log: ${logPath}; --no-smoke skips the test` });
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw interrupted.aborted ? interruptedError() : error;
  }

  // 7. Summary.
  const { renderConnectInfo, connectSettings } = await import('../up/renderConnectInfo.js');
  const info = { baseUrl, model: plan.endpoint.model, contextLength: plan.contextLength, ...(serve.apiKey ? { apiKey: serve.apiKey } : {}) };
  if (json) {
    writeOut(JSON.stringify({ name, runtime: plan.runtime, ...info, pid: started.process?.pid ?? null, logPath, detached: args.detach === true, ...(smoke ? { checks: smoke.checks } : {}), settings: connectSettings(info) }, null, 2));
  } else {
    log(`\nReady: ${plan.runtime} serves "${plan.endpoint.model}" at ${baseUrl}\n`);
    log(renderConnectInfo(info));
    log(args.detach ? `\nRunning in the background: devstral status | devstral logs ${name} | devstral down ${name}` : '\nPress Ctrl-C to stop.');
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
    if (exit === 'interrupted') return void (await stop());
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
