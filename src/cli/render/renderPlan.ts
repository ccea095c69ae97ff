/** Human-readable plan. Pure. */
import type { HardwareFacts } from '../../hardware/hardwareFacts.js';
import type { ModelProfile } from '../../profiles/modelProfile.js';
import { GiB, MiB } from '../../plan/estimateMemory.js';
import type { Plan } from '../../plan/plan.js';
import { renderLaunchCommand } from './renderLaunchCommand.js';

const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;
const RUNTIME_NAME = { vllm: 'vLLM', llamacpp: 'llama.cpp (devstral serve, on node-llama-cpp)', ollama: 'Ollama' } as const;
const DEVICE_NAME = { cuda: 'CUDA', metal: 'Metal', rocm: 'ROCm', vulkan: 'Vulkan', cpu: 'CPU only' } as const;

export function describeHardware(facts: HardwareFacts): string {
  const gpus = new Map<string, number>();
  for (const g of facts.gpus) {
    const key = `${g.name} (${(g.memoryMiB / 1024).toFixed(1)} GiB${g.unified ? ' Metal limit' : ''})`;
    gpus.set(key, (gpus.get(key) ?? 0) + 1);
  }
  const gpuText = gpus.size ? [...gpus].map(([k, n]) => `${n}x ${k}`).join(' + ') : 'no GPU';
  return `${facts.id ? `${facts.id}: ` : ''}${gpuText}; ${gib(facts.memory.totalMiB * MiB)} RAM; ${facts.cpu.cores} CPU cores`;
}

export function renderPlan(plan: Plan, model: ModelProfile, facts: HardwareFacts): string {
  const m = plan.memory;
  const rows: [string, string][] = [
    ['runtime', `${RUNTIME_NAME[plan.runtime]} on ${DEVICE_NAME[plan.device]}${plan.gpus.length ? ` (GPU ${plan.gpus.join(', ')})` : ''}`],
    ['weights', `${plan.artifact.quantization} ${plan.artifact.format}, ${gib(plan.artifact.bytes)}${plan.artifact.bytesEstimated ? ' (estimated)' : ''}${plan.artifact.official ? '' : ', community'}`],
    ['source', plan.artifact.source],
    ['context', `${plan.contextLength} tokens, ${plan.kvCacheType === 'auto' ? 'BF16' : plan.kvCacheType} KV cache`],
  ];
  if (plan.tensorParallelSize !== null) rows.push(['parallelism', `tensor parallel ${plan.tensorParallelSize}, --gpu-memory-utilization ${plan.gpuMemoryUtilization}`]);
  if (plan.gpuLayers !== null) rows.push(['GPU layers', `${plan.gpuLayers} of ${plan.layers}`]);
  rows.push(['memory', `weights ${gib(m.weightsBytes)} + KV cache ${gib(m.kvCacheBytes)} + overhead ${gib(m.overheadBytes)} = ${gib(m.weightsBytes + m.kvCacheBytes + m.overheadBytes)} of ${gib(m.budgetBytes)} budget`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`${model.name} on ${describeHardware(facts)}`, '', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
  const section = (title: string, items: string[], mark: string) => (items.length ? ['', title, ...items.map((i) => `  ${mark} ${i}`)] : []);
  lines.push(...section('Why', plan.reasons, '-'));
  lines.push(...section('Warnings', plan.warnings, '!'));
  lines.push(...section('Not chosen', plan.alternatives.map((a) => `${a.runtime}: ${a.rejected}`), '-'));
  lines.push('', 'Command', ...renderLaunchCommand(plan.command).split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}
