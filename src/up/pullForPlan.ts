/** The download stage of `up`: the plan's artifact into the HF cache; returns the GGUF path for llama.cpp. */
import { createHubClient } from '../download/createHubClient.js';
import { repoCache } from '../download/hfCachePaths.js';
import { pullSnapshot, type PullEvent } from '../download/pullSnapshot.js';
import { pullTargetForArtifact } from '../download/pullTarget.js';
import { readOfflineSnapshot } from '../download/readOfflineSnapshot.js';
import { DevstralError } from '../errors.js';
import type { Plan } from '../planShapes.js';
import type { ModelProfile } from '../profiles/modelProfile.js';

function targetFor(plan: Plan, model: ModelProfile) {
  const artifact = model.artifacts.find((a) => a.id === plan.artifact.id)!;
  return pullTargetForArtifact(artifact, plan.runtime, plan.artifact.revision);
}

/** Whether the plan's files are all in the Hugging Face cache already (looked up offline: no request). */
export async function weightsCached(plan: Plan, model: ModelProfile): Promise<boolean> {
  const target = targetFor(plan, model);
  if (target.kind !== 'hf') return false;
  const { config } = await createHubClient();
  return readOfflineSnapshot({ repo: target.repo, revision: target.revision, selection: target.selection }, repoCache(config.cacheDir, target.repo)).then(
    () => true,
    () => false,
  );
}

export async function pullForPlan(plan: Plan, model: ModelProfile, options: { onEvent?: (event: PullEvent) => void; signal?: AbortSignal } = {}): Promise<string | undefined> {
  const target = targetFor(plan, model);
  if (target.kind !== 'hf') return undefined;
  const { client, config } = await createHubClient();
  const result = await pullSnapshot(
    { repo: target.repo, revision: target.revision, selection: target.selection },
    { client, cacheDir: config.cacheDir, offline: config.offline, inspectGguf: true, ...(options.signal ? { signal: options.signal } : {}), ...(options.onEvent ? { onEvent: options.onEvent } : {}) },
  );
  if (plan.runtime !== 'llamacpp') return result.snapshotDir;
  const gguf = result.files.find((f) => f.path.toLowerCase().endsWith('.gguf'));
  if (!gguf) throw new DevstralError('download', `${target.label} has no .gguf file`);
  return gguf.localPath;
}
