/**
 * One schema per profile kind. Imported only where files are validated (profiles validate, --hardware FILE,
 * the build step): zod is too heavy for the fast path of `devstral plan`.
 */
import { z } from 'zod';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { ModelProfile } from './modelProfile.js';

const positiveInt = z.number().int().positive();
/** Up to 64 TiB: anything larger is a typo (or bytes where MiB were meant). */
const mib = z.number().nonnegative().max(64 * 1024 * 1024, 'is more than 64 TiB: is it in MiB?');

export const gpuSchema = z.strictObject({
  vendor: z.enum(['nvidia', 'amd', 'apple', 'intel']),
  name: z.string().min(1),
  memoryMiB: mib.positive(),
  freeMiB: mib.optional(),
  // YAML reads 8.9 unquoted as a number (and 9.0 as 9): both mean the capability "8.9" / "9.0".
  computeCapability: z
    .union([z.string(), z.number().nonnegative().transform((n) => n.toFixed(1))])
    .pipe(z.string().regex(/^\d+\.\d+$/, 'must look like "8.9"'))
    .optional(),
  unified: z.boolean().optional(),
  index: z.number().int().nonnegative().optional(),
  driverVersion: z.string().optional(),
});

const versioned = z.strictObject({ version: z.string() });

export const hardwareFactsSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'use lowercase letters, digits, dots and dashes').optional(),
  description: z.string().optional(),
  os: z.enum(['linux', 'darwin', 'win32']),
  arch: z.enum(['x64', 'arm64']),
  cpu: z.strictObject({ model: z.string(), cores: positiveInt.max(65536), performanceCores: positiveInt.optional() }),
  memory: z
    .strictObject({ totalMiB: mib.positive(), availableMiB: mib.optional() })
    .refine((m) => m.availableMiB === undefined || m.availableMiB <= m.totalMiB, { path: ['availableMiB'], message: 'is more than totalMiB' }),
  gpus: z
    .array(gpuSchema.refine((g) => g.freeMiB === undefined || g.freeMiB <= g.memoryMiB, { path: ['freeMiB'], message: 'is more than memoryMiB' }))
    .refine((gpus) => new Set(gpus.map((g, i) => g.index ?? i)).size === gpus.length, { message: 'two GPUs have the same index' }),
  cuda: z.strictObject({ driverVersion: z.string().optional(), version: z.string().optional() }).optional(),
  disk: z.strictObject({ freeMiB: mib, path: z.string().optional() }).optional(),
  runtimes: z
    .strictObject({
      vllm: z.strictObject({ version: z.string(), via: z.string().optional() }).optional(),
      ollama: z.strictObject({ version: z.string().optional(), running: z.boolean().optional(), host: z.string().optional() }).optional(),
      llamacpp: z.strictObject({ backends: z.array(z.string()), version: z.string().optional() }).optional(),
      docker: versioned.optional(),
      podman: versioned.optional(),
    })
    .optional(),
  probes: z
    .array(z.strictObject({ probe: z.string(), status: z.enum(['missing', 'failed', 'timeout']), reason: z.string() }))
    .optional(),
})
  // CUDA without an NVIDIA GPU is a contradiction the planner would silently ignore.
  .refine((f) => f.cuda === undefined || f.gpus.some((g) => g.vendor === 'nvidia'), { path: ['cuda'], message: 'is set but gpus lists no NVIDIA GPU: add the GPU, or remove cuda' }) satisfies z.ZodType<HardwareFacts>;

const runtimeId = z.enum(['vllm', 'llamacpp', 'ollama']);
const bytes = z.number().int().positive().nullable();
const sourceRef = z
  .string()
  .regex(/^(hf:[\w.-]+\/[\w.-]+(\/[^@:\s]+)?|ollama:[\w.\/-]+(:[\w.-]+)?)$/, 'must be hf:ORG/REPO, hf:ORG/REPO/FILE or ollama:NAME:TAG');

const artifactSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i),
    format: z.enum(['safetensors', 'gguf']),
    source: sourceRef,
    quantization: z.string().min(1),
    layout: z.enum(['mistral', 'hf']).optional(),
    bytes,
    files: z.array(z.strictObject({ path: z.string().min(1), bytes, optional: z.boolean().optional() })).optional(),
    official: z.boolean(),
    runtimes: z.array(runtimeId).min(1),
    tokenizer: z.string().optional(),
    vllmArgs: z.array(z.string()).optional(),
    minComputeCapability: z.string().regex(/^\d+\.\d+$/).optional(),
    ollama: z.string().optional(),
    notes: z.string().optional(),
  })
  .superRefine((a, ctx) => {
    if (a.format === 'safetensors' && !a.layout) ctx.addIssue({ code: 'custom', path: ['layout'], message: 'safetensors artifacts need layout: mistral or hf' });
    if (a.source.startsWith('ollama:') && (a.runtimes.join() !== 'ollama' || !a.ollama)) {
      ctx.addIssue({ code: 'custom', path: ['runtimes'], message: 'an ollama: source is served by Ollama only: runtimes [ollama] and an ollama reference' });
    }
    if (a.format === 'gguf' && a.source.startsWith('hf:') && !a.source.endsWith('.gguf')) ctx.addIssue({ code: 'custom', path: ['source'], message: 'a gguf artifact source must name the .gguf file' });
    if (a.files && a.bytes !== null && a.files.every((f) => f.bytes !== null)) {
      const sum = a.files.reduce((s, f) => s + (f.bytes ?? 0), 0);
      if (sum !== a.bytes) ctx.addIssue({ code: 'custom', path: ['bytes'], message: `is ${a.bytes} but the files add up to ${sum}` });
    }
  });

export const modelProfileSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'use lowercase letters, digits, dots and dashes'),
    name: z.string().min(1),
    aliases: z.array(z.string()),
    description: z.string().optional(),
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be ORG/REPO'),
    architecture: z.strictObject({
      layers: positiveInt,
      hiddenSize: positiveInt,
      heads: positiveInt,
      kvHeads: positiveInt,
      headDim: positiveInt,
      ffnSize: positiveInt,
      vocabSize: positiveInt,
      contextLength: positiveInt,
      parameters: positiveInt,
    }),
    artifacts: z.array(artifactSchema).min(1),
    vllm: z.strictObject({ args: z.array(z.string()), minVersion: z.string().optional(), notes: z.string().optional() }),
    sampling: z.strictObject({ temperature: z.number().min(0).max(2), topP: z.number().optional(), minP: z.number().optional() }),
    toolCalls: z.strictObject({ format: z.string().nullable(), vllmParser: z.string(), notes: z.string().optional() }),
    systemPrompt: z.strictObject({ source: z.string(), summary: z.string().optional() }).optional(),
    ollama: z.strictObject({ reference: z.string().nullable(), notes: z.string().optional() }).optional(),
    notes: z.array(z.string()).optional(),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.artifacts.forEach((a, i) => {
      if (seen.has(a.id.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['artifacts', i, 'id'], message: `duplicate artifact id "${a.id}" (ids ignore case)` });
      seen.add(a.id.toLowerCase());
    });
  }) satisfies z.ZodType<ModelProfile>;

export type ProfileKind = 'model' | 'hardware';

/** Formats zod issues as "field.path: problem" lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
}
