/**
 * The smallest reference machine (profiles/hardware) a plan succeeds on: what a refusal points to when this machine
 * cannot reach the context asked for. Machines of the same kind first (Apple silicon, NVIDIA, CPU only), smallest
 * memory first. Pure.
 */
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import type { PlanOptions } from '../planShapes.js';
import { planLaunch } from './planLaunch.js';

const kind = (facts: HardwareFacts) => facts.gpus[0]?.vendor ?? 'cpu';
const size = (facts: HardwareFacts) => facts.gpus.reduce((s, g) => s + g.memoryMiB, 0) || facts.memory.totalMiB;

export function smallestMachine(machines: HardwareFacts[], here: HardwareFacts, model: ModelProfile, options: PlanOptions): HardwareFacts | undefined {
  // Constraints tied to this machine (its GPU indices, a runtime that may not exist there) do not carry over.
  const { gpus: _g, ...portable } = options;
  const ordered = [...machines].sort((a, b) => Number(kind(b) === kind(here)) - Number(kind(a) === kind(here)) || size(a) - size(b));
  return ordered.find((machine) => {
    try {
      planLaunch(machine, model, portable, { host: '127.0.0.1' });
      return true;
    } catch {
      return false;
    }
  });
}
