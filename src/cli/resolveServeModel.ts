/** `serve --model`: a local GGUF, an hf: GGUF (pulled into the HF cache), or a profile id (planned, then pulled). */
import { existsSync } from 'node:fs';
import { DevstralError } from '../errors.js';
import { createHubClient } from '../download/createHubClient.js';
import { pullSnapshot } from '../download/pullSnapshot.js';
import { pullTargetForArtifact, pullTargetForRef } from '../download/pullTarget.js';
import type { Plan } from '../planShapes.js';
import { servedIdForFile } from '../profiles/profileFromGguf.js';
import type { CommandArgs } from './commandSpec.js';

export interface ServeModel {
  path: string;
  name: string;
  plan?: Plan;
  temperature?: number;
  minP?: number;
}

async function pullGguf(target: ReturnType<typeof pullTargetForRef>, log: (line: string) => void): Promise<string> {
  if (target.kind !== 'hf') throw new DevstralError('usage', 'devstral serve runs GGUF files; this model is served by Ollama', { hint: 'use `devstral up --runtime ollama`' });
  const { client, config } = await createHubClient();
  const result = await pullSnapshot(
    { repo: target.repo, revision: target.revision, selection: target.selection },
    { client, cacheDir: config.cacheDir, offline: config.offline, inspectGguf: true, onEvent: (e) => e.type === 'file-start' && log(`downloading ${e.path} (${(e.size / 1024 ** 3).toFixed(1)} GiB): run \`devstral pull\` first for progress`) },
  );
  const gguf = result.files.find((f) => f.path.toLowerCase().endsWith('.gguf'));
  if (!gguf) throw new DevstralError('usage', `${target.label} has no .gguf file`, { hint: 'devstral serve runs GGUF files; use hf:ORG/REPO:QUANT' });
  return gguf.localPath;
}

export async function resolveServeModel(args: CommandArgs, log: (line: string) => void): Promise<ServeModel> {
  const ref = args.model === undefined ? undefined : String(args.model);
  if (ref !== undefined && (ref.toLowerCase().endsWith('.gguf') || existsSync(ref)) && !ref.startsWith('hf:')) {
    if (!existsSync(ref)) throw new DevstralError('usage', `--model ${ref}: no such file`, { hint: 'give the path of a .gguf file, an hf: reference or a profile id' });
    return { path: ref, name: servedIdForFile(ref) };
  }
  const { loadCatalog } = await import('../profiles/profileCatalog.js');
  const { resolveModel } = await import('../profiles/resolveModel.js');
  // An hf: GGUF that no profile knows is served as it is.
  if (ref?.startsWith('hf:')) {
    let known = true;
    try {
      resolveModel(await loadCatalog(), ref);
    } catch {
      known = false;
    }
    if (!known) return { path: await pullGguf(pullTargetForRef(ref), log), name: ref.replace(/^hf:/, '').replace(/[@:].*$/, '').split('/').pop()! };
  }
  const { loadPlan } = await import('./loadPlan.js');
  const { plan, model } = await loadPlan({ model: ref, hardware: args.hardware, runtime: 'llamacpp', ctx: args.ctx });
  const artifact = model.artifacts.find((a) => a.id === plan.artifact.id)!;
  const path = await pullGguf(pullTargetForArtifact(artifact, 'llamacpp', plan.artifact.revision), log);
  return { path, name: model.id, plan, temperature: model.sampling.temperature, ...(model.sampling.minP !== undefined ? { minP: model.sampling.minP } : {}) };
}
