/** `devstral pull`: what to fetch (a reference or the plan's artifact), then the hub or Ollama, with progress. */
import { DevstralError } from '../errors.js';
import { createHubClient } from '../download/createHubClient.js';
import { pullOllama } from '../download/pullOllama.js';
import { pullSnapshot } from '../download/pullSnapshot.js';
import { pullTargetForArtifact, pullTargetForRef, type PullTarget } from '../download/pullTarget.js';
import { parseOllamaHost } from '../hardware/parseOllamaHost.js';
import type { CommandArgs } from './commandSpec.js';
import { writeOut } from './output.js';
import { parsePositiveInt } from './parseOptions.js';
import { createPullProgress } from './pullProgress.js';
import { formatBytes, formatDuration } from './render/formatTransfer.js';

async function pullTarget(args: CommandArgs): Promise<PullTarget> {
  const model = args.model === undefined ? undefined : String(args.model);
  if (model?.startsWith('hf:') && args.quant === undefined && args.runtime === undefined) return pullTargetForRef(model);
  const { loadPlan } = await import('./loadPlan.js');
  const { plan, model: profile } = await loadPlan(args);
  const artifact = profile.artifacts.find((a) => a.id === plan.artifact.id)!;
  return pullTargetForArtifact(artifact, plan.runtime, plan.artifact.revision);
}

export async function runPull(args: CommandArgs): Promise<void> {
  const connections = parsePositiveInt('connections', args.connections, 64) ?? 8;
  const target = await pullTarget(args);
  const json = args.json === true;
  const progress = createPullProgress(json ? 'json' : process.stderr.isTTY ? 'tty' : 'lines');
  const controller = new AbortController();
  const onSignal = () => controller.abort(new DevstralError('interrupted', 'interrupted: the bytes downloaded so far are kept', { hint: 'run the same command again to resume' }));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  try {
    if (target.kind === 'ollama') {
      const host = parseOllamaHost(process.env.OLLAMA_HOST);
      const result = await pullOllama(host, target.reference, (e) => progress.onEvent(e), controller.signal);
      await progress.close();
      const summary = { type: 'summary', ollama: result.reference, bytes: result.bytes, seconds: (Date.now() - started) / 1000 };
      return writeOut(json ? JSON.stringify(summary) : `Pulled ${result.reference} into Ollama at ${host} (${formatBytes(result.bytes)})`);
    }
    const { client, config } = await createHubClient(args.token === undefined ? undefined : String(args.token));
    const result = await pullSnapshot(
      { repo: target.repo, revision: target.revision, selection: target.selection },
      { client, cacheDir: config.cacheDir, offline: config.offline, connections, inspectGguf: true, signal: controller.signal, onEvent: (e) => progress.onEvent(e) },
    );
    await progress.close();
    const seconds = (Date.now() - started) / 1000;
    if (json) {
      return writeOut(JSON.stringify({ type: 'summary', repo: result.repo, revision: result.revision, commit: result.commit, snapshot: result.snapshotDir, files: result.files, bytes: result.bytes, fetchedBytes: result.fetchedBytes, seconds }));
    }
    const lines = [
      `Pulled ${target.label}: ${result.files.length} file(s), ${formatBytes(result.bytes)} (${formatBytes(result.fetchedBytes)} downloaded) in ${formatDuration(seconds)}`,
      `  snapshot  ${result.snapshotDir}`,
      ...result.files.map((f) => `  ${f.path}  ${f.localPath}`),
    ];
    writeOut(lines.join('\n'));
  } catch (error) {
    await progress.close(error);
    throw controller.signal.aborted && controller.signal.reason instanceof DevstralError ? controller.signal.reason : error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
