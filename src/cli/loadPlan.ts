/** What `plan` and `command` share: parse the options, load the model and hardware, plan. */
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { Plan, PlanOptions, ServeOptions } from '../planShapes.js';
import { DevstralError } from '../errors.js';
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

/** `elsewhere`: the plan is for servers devstral writes files for (deploy), so an Ollama running here is not reused. */
export async function loadPlan(args: CommandArgs, { elsewhere = false } = {}): Promise<LoadedPlan> {
  const serve = parseServeOptions(args);
  const { model, facts: found, options } = await loadPlanInputs(args);
  const ollama = found.runtimes?.ollama;
  const facts = elsewhere && ollama?.running ? { ...found, runtimes: { ...found.runtimes, ollama: { ...ollama, running: false } } } : found;
  try {
    return { plan: planLaunch(facts, model, options, serve), model, facts, serve, options };
  } catch (error) {
    const flags = [args.model === undefined ? '' : `--model ${String(args.model)}`, args.for !== undefined ? `--for ${String(args.for)}` : options.minCtx !== undefined ? `--min-ctx ${options.minCtx}` : ''];
    throw await withSmallestMachine(error, facts, model, options, flags.filter(Boolean).join(' '));
  }
}

/** A plan this machine cannot hold (a model, or a context): name the smallest reference machine that can. */
async function withSmallestMachine(error: unknown, facts: HardwareFacts, model: ModelProfile, options: PlanOptions, flags: string): Promise<unknown> {
  if (!(error instanceof DevstralError) || error.code !== 'noPlan') return error;
  const [{ loadCatalog }, { smallestMachine }] = await Promise.all([import('../profiles/profileCatalog.js'), import('../plan/smallestMachine.js')]);
  const machine = smallestMachine((await loadCatalog()).hardware, facts, model, options);
  if (!machine) return error;
  const hint = `${error.hint ? `${error.hint}. ` : ''}The smallest reference machine that can: ${machine.id}${machine.description ? ` (${machine.description})` : ''}: devstral plan --hardware ${machine.id}${flags ? ` ${flags}` : ''}`;
  return new DevstralError('noPlan', error.message, { details: error.details, hint, cause: error });
}
