import type { PlanCore, PlanEndpoint, ResolvedServeOptions } from '../planShapes.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { ollamaModelName } from './buildOllamaCommand.js';
import { clientHost, hostPort } from './hostPort.js';

/** The OpenAI-compatible base URL and model name an agent uses. Pure. */
export function planEndpoint(plan: PlanCore, model: ModelProfile, serve: ResolvedServeOptions): PlanEndpoint {
  return {
    baseUrl: `http://${hostPort(clientHost(serve.host), serve.port)}/v1`,
    model: plan.runtime === 'ollama' ? ollamaModelName(plan, model, serve) : (serve.servedModelName ?? model.id),
  };
}
