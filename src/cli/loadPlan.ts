/** What `plan` and `command` share: parse the options, load the model and hardware, plan. */
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { Plan, PlanOptions, ServeOptions } from '../plan/plan.js';
import { planLaunch } from '../plan/planLaunch.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import type { CommandArgs } from './commandSpec.js';
import { loadPlanInputs } from './loadPlanInputs.js';
import { parseServeOptions } from './parseOptions.js';

export interface LoadedPlan {
  plan: Plan;
  model: ModelProfile;
  facts: HardwareFacts;
  serve: ServeOptions;
  options: PlanOptions;
}

export async function loadPlan(args: CommandArgs): Promise<LoadedPlan> {
  const serve = parseServeOptions(args);
  const { model, facts, options } = await loadPlanInputs(args);
  return { plan: planLaunch(facts, model, options, serve), model, facts, serve, options };
}
