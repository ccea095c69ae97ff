/** What every planning command needs: the catalog, the model, the hardware (a profile, a file, or detected). */
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { PlanOptions } from '../plan/plan.js';
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

export async function loadPlanInputs(args: RawPlanInputArgs): Promise<PlanInputs> {
  const options = parsePlanOptions(args);
  const catalog = await loadCatalog();
  const { resolveModel } = await import('../profiles/resolveModel.js');
  const resolved = resolveModel(catalog, args.model === undefined ? undefined : String(args.model));
  if (resolved.quant && options.quant === undefined) options.quant = resolved.quant;
  if (resolved.repo) options.repo = resolved.repo;
  if (resolved.revision) options.revision = resolved.revision;
  let facts: HardwareFacts;
  if (args.hardware !== undefined) {
    const { resolveHardware } = await import('../hardware/resolveHardware.js');
    facts = await resolveHardware(catalog, String(args.hardware));
  } else {
    const [{ detectHardware }, { createDetectDeps }] = await Promise.all([import('../hardware/detectHardware.js'), import('../hardware/createDetectDeps.js')]);
    facts = await detectHardware(createDetectDeps(), { llamaCppBackends: false });
  }
  return { model: resolved.model, facts, options };
}
