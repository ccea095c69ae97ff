/** What every planning command needs: the catalog, the model, the hardware (a profile, a file, or detected). */
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { PlanOptions } from '../planShapes.js';
import { loadCatalog } from '../profiles/profileCatalog.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { parsePlanOptions, type RawPlanArgs } from './parseOptions.js';

export interface PlanInputs {
  model: ModelProfile;
  facts: HardwareFacts;
  options: PlanOptions;
}

export interface RawPlanInputArgs extends RawPlanArgs {
  model?: unknown;
  hardware?: unknown;
}

/** A GGUF on disk: planned from its header, for llama.cpp (the only runtime here that opens a local file). */
async function localGguf(path: string, options: PlanOptions): Promise<{ model: ModelProfile; quant?: string; repo?: string; revision?: string }> {
  const [{ stat }, { checkModelFile }, { summarizeGguf }, { profileFromGguf }, { DevstralError }] = await Promise.all([
    import('node:fs/promises'),
    import('./checkModelFile.js'),
    import('../gguf/summarizeGguf.js'),
    import('../profiles/profileFromGguf.js'),
    import('../errors.js'),
  ]);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new DevstralError('usage', `--model ${path}: no such file`, { hint: 'give the path of a .gguf file, an hf: reference or a profile id' });
  if (options.runtime && options.runtime !== 'llamacpp') throw new DevstralError('usage', `--runtime ${options.runtime} cannot open a local GGUF file`, { hint: 'use --runtime llamacpp, or a profile id' });
  const summary = summarizeGguf((await checkModelFile(path)).header);
  options.runtime = 'llamacpp';
  options.localFile = true;
  return { model: profileFromGguf(summary, path, info.size) };
}

export async function loadPlanInputs(args: RawPlanInputArgs): Promise<PlanInputs> {
  const options = parsePlanOptions(args);
  const catalog = await loadCatalog();
  const ref = args.model === undefined ? undefined : String(args.model);
  const resolved = ref !== undefined && /\.gguf$/i.test(ref) && !ref.startsWith('hf:') ? await localGguf(ref, options) : (await import('../profiles/resolveModel.js')).resolveModel(catalog, ref);
  if (resolved.quant && options.quant === undefined) options.quant = resolved.quant;
  if (resolved.repo) options.repo = resolved.repo;
  if (resolved.revision) options.revision = resolved.revision;
  let facts: HardwareFacts;
  if (args.hardware !== undefined) {
    const { resolveHardware } = await import('../profiles/resolveHardware.js');
    facts = await resolveHardware(catalog, String(args.hardware));
  } else {
    const [{ detectHardware }, { createDetectDeps }] = await Promise.all([import('../hardware/detectHardware.js'), import('../hardware/createDetectDeps.js')]);
    facts = await detectHardware(createDetectDeps(), { purpose: 'plan' });
  }
  return { model: resolved.model, facts, options };
}
