/** Human-readable plan. Pure. */
import type { HardwareFacts } from '../../hardware/hardwareFacts.js';
import { formatGiB, formatParameters } from '../../plan/estimateMemory.js';
import type { Plan } from '../../planShapes.js';
import type { ModelProfile } from '../../profiles/modelProfile.js';
import { describeHardware } from './describeHardware.js';
import { renderLaunchCommand } from './renderLaunchCommand.js';

const RUNTIME_NAME = { vllm: 'vLLM', llamacpp: 'llama.cpp (devstral serve, on node-llama-cpp)', ollama: 'Ollama' } as const;
const DEVICE_NAME = { cuda: 'CUDA', metal: 'Metal', vulkan: 'Vulkan', cpu: 'CPU only' } as const;

function memoryLine(plan: Plan): string {
  const m = plan.memory;
  const total = `weights ${formatGiB(m.weightsBytes)} + KV cache ${formatGiB(m.kvCacheBytes)} + overhead ${formatGiB(m.overheadBytes)}`;
  // A split plan is bounded by the GPU: show both sides rather than one comfortable-looking sum.
  if (m.gpuBytes !== undefined && m.ramBytes !== undefined && m.ramBytes > 0 && m.ramBytes !== m.gpuBytes && plan.gpuLayers !== plan.layers) {
    return `${total}: ${formatGiB(m.gpuBytes)} on the GPU, ${formatGiB(m.ramBytes)} in RAM`;
  }
  return `${total} = ${formatGiB(m.weightsBytes + m.kvCacheBytes + m.overheadBytes)} of ${formatGiB(m.budgetBytes)} budget`;
}

/** The weights as they are: for a local file, what its header says (parameters, trained context). */
function weightsLine(plan: Plan, model: ModelProfile): string {
  const a = plan.artifact;
  const format = a.format === 'gguf' ? 'GGUF' : a.format;
  if (a.source.startsWith('file:')) {
    return `${a.quantization} ${format}, ${formatGiB(a.bytes)}, ${formatParameters(model.architecture.parameters)} parameters, trained for ${model.architecture.contextLength} tokens (from its header)`;
  }
  return `${a.quantization} ${format}, ${formatGiB(a.bytes)}${a.bytesEstimated ? ' (estimated)' : ''}${a.official ? '' : ', community'}`;
}

export function renderPlan(plan: Plan, model: ModelProfile, facts: HardwareFacts, llamaServer?: string): string {
  const rows: [string, string][] = [
    ['runtime', `${RUNTIME_NAME[plan.runtime]} on ${DEVICE_NAME[plan.device]}${plan.gpus.length ? ` (GPU ${plan.gpus.join(', ')})` : ''}`],
    ['weights', weightsLine(plan, model)],
    ['source', `${plan.artifact.source}${plan.artifact.revision ? `@${plan.artifact.revision}` : ''}`],
    ['context', `${plan.contextLength} tokens, ${plan.kvCacheType === 'auto' ? 'BF16' : plan.kvCacheType} KV cache`],
  ];
  if (plan.tensorParallelSize !== null) {
    const across = plan.nodes > 1 ? ` x pipeline parallel ${plan.pipelineParallelSize} (${plan.nodes} nodes, see devstral command)` : '';
    rows.push(['parallelism', `tensor parallel ${plan.tensorParallelSize}${across}, --gpu-memory-utilization ${plan.gpuMemoryUtilization}`]);
  }
  if (plan.gpuLayers !== null) rows.push(['GPU layers', `${plan.gpuLayers} of ${plan.layers}`]);
  rows.push(['memory', memoryLine(plan)]);
  rows.push(['connect', `${plan.endpoint.baseUrl}  model "${plan.endpoint.model}"`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`${model.name} on ${facts.id ? `${facts.id}: ` : ''}${describeHardware(facts)}`, '', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
  const section = (title: string, items: string[], mark: string) => (items.length ? ['', title, ...items.map((i) => `  ${mark} ${i}`)] : []);
  lines.push(...section('Why', plan.reasons, '-'));
  lines.push(...section('Warnings', plan.warnings, '!'));
  lines.push(...section('Not chosen', plan.alternatives.map((a) => `${a.runtime}: ${a.rejected}`), '-'));
  lines.push('', 'Command', ...renderLaunchCommand(plan.command).split('\n').map((l) => `  ${l}`));
  if (llamaServer) lines.push('  # or, with llama.cpp\'s own server:', `  ${llamaServer}`);
  if (model.systemPrompt) lines.push('', `Agents should send the model's system prompt (${model.systemPrompt.source.replace(/^hf:/, '')}) as the system message.`);
  return lines.join('\n');
}
