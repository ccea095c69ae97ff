/** The download stage of `up`: the plan's artifact into the HF cache; returns the GGUF path for llama.cpp. */
import { createPullProgress } from '../cli/pullProgress.js';
import { createHubClient } from '../download/createHubClient.js';
import { pullSnapshot } from '../download/pullSnapshot.js';
import { pullTargetForArtifact } from '../download/pullTarget.js';
import { DevstralError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import type { ModelProfile } from '../profiles/modelProfile.js';

export async function runPullForPlan(plan: Plan, model: ModelProfile, json: boolean, signal?: AbortSignal): Promise<string | undefined> {
  const artifact = model.artifacts.find((a) => a.id === plan.artifact.id)!;
  const target = pullTargetForArtifact(artifact, plan.runtime, plan.artifact.revision);
  if (target.kind !== 'hf') return undefined;
  const { client, config } = await createHubClient();
  const progress = createPullProgress(json ? 'json' : process.stderr.isTTY ? 'tty' : 'lines');
  try {
    const result = await pullSnapshot(
      { repo: target.repo, revision: target.revision, selection: target.selection },
      { client, cacheDir: config.cacheDir, offline: config.offline, inspectGguf: true, ...(signal ? { signal } : {}), onEvent: (e) => (json ? undefined : progress.onEvent(e)) },
    );
    await progress.close();
    if (plan.runtime !== 'llamacpp') return result.snapshotDir;
    const gguf = result.files.find((f) => f.path.toLowerCase().endsWith('.gguf'));
    if (!gguf) throw new DevstralError('download', `${target.label} has no .gguf file`);
    return gguf.localPath;
  } catch (error) {
    await progress.close(error);
    throw error;
  }
}
