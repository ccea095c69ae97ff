/**
 * Ollama after its server answers: pull the weights, create the derived model that carries the planned
 * context (its OpenAI endpoint ignores num_ctx), and load it to stay in memory.
 */
import { request } from '../net/undici.js';
import { DevstralError } from '../errors.js';
import { pullOllama } from '../download/pullOllama.js';
import type { PullEvent } from '../download/pullSnapshot.js';
import type { Plan } from '../planShapes.js';

async function post(host: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await request(`${host}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, bodyTimeout: 0, headersTimeout: 0 });
  return { status: res.statusCode, text: await res.body.text() };
}

export async function setupOllama(host: string, plan: Plan, temperature: number, onEvent?: (e: PullEvent) => void): Promise<void> {
  const from = plan.artifact.ollama!;
  await pullOllama(host, from, onEvent);
  const name = plan.endpoint.model;
  const parameters = { num_ctx: plan.contextLength, temperature, ...(plan.gpuLayers !== null && plan.gpuLayers < plan.layers ? { num_gpu: plan.gpuLayers } : {}) };
  let created = await post(host, '/api/create', { model: name, from, parameters, stream: false });
  if (created.status >= 400) {
    // Ollama before 0.5.5 takes a Modelfile instead.
    const modelfile = [`FROM ${from}`, ...Object.entries(parameters).map(([k, v]) => `PARAMETER ${k} ${v}`)].join('\n');
    created = await post(host, '/api/create', { name, modelfile, stream: false });
  }
  if (created.status >= 400) throw new DevstralError('server', `Ollama could not create ${name}: ${created.text.slice(0, 300)}`, { hint: 'see the Ollama server log' });
  const loaded = await post(host, '/api/generate', { model: name, keep_alive: -1 });
  if (loaded.status >= 400) throw new DevstralError('server', `Ollama could not load ${name}: ${loaded.text.slice(0, 300)}`, { hint: 'lower --ctx or choose a smaller --quant; see the Ollama server log' });
}
