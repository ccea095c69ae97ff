/** A model profile (profiles/models/*.yaml), as validated by profileSchemas.ts. */
export type ArtifactFormat = 'safetensors' | 'gguf';
export type RuntimeId = 'vllm' | 'llamacpp' | 'ollama';
export const RUNTIME_IDS: readonly RuntimeId[] = ['vllm', 'llamacpp', 'ollama'];

export interface ArtifactFile {
  path: string;
  /** Exact size in bytes, or null when unknown. */
  bytes: number | null;
  /** Taken when the repo has it (e.g. SYSTEM_PROMPT.txt). */
  optional?: boolean;
}

export interface Artifact {
  id: string;
  format: ArtifactFormat;
  /** `hf:ORG/REPO` (safetensors), `hf:ORG/REPO/FILE.gguf`, or `ollama:NAME:TAG` (weights only Ollama serves). */
  source: string;
  /** bf16, fp8, awq-int4, or a GGUF type such as Q4_K_M. */
  quantization: string;
  /** safetensors only: mistral (params.json + consolidated.safetensors) or hf (config.json + shards). */
  layout?: 'mistral' | 'hf';
  /** Total bytes of what must be downloaded; null when unknown (the planner then estimates and says so). */
  bytes: number | null;
  files?: ArtifactFile[];
  /** Published by the model's authors (false: a community checkpoint). */
  official: boolean;
  runtimes: RuntimeId[];
  /** For HF-layout checkpoints without tekken.json: the repo whose Mistral tokenizer to use. */
  tokenizer?: string;
  /** vLLM format arguments that replace the ones derived from `layout` (e.g. none, where vLLM detects the format). */
  vllmArgs?: string[];
  /** Lowest NVIDIA compute capability vLLM needs for this checkpoint. */
  minComputeCapability?: string;
  /** Ollama reference for the same weights, e.g. hf.co/ORG/REPO:Q4_K_M. */
  ollama?: string;
  notes?: string;
}

export interface ModelProfile {
  id: string;
  name: string;
  aliases: string[];
  description?: string;
  /** Hugging Face repo of the original weights. */
  repo: string;
  architecture: {
    layers: number;
    hiddenSize: number;
    heads: number;
    kvHeads: number;
    headDim: number;
    ffnSize: number;
    vocabSize: number;
    contextLength: number;
    parameters: number;
  };
  artifacts: Artifact[];
  vllm: { args: string[]; minVersion?: string; notes?: string };
  sampling: { temperature: number; topP?: number; minP?: number };
  toolCalls: { /** The tool-call token format (e.g. mistral-v13); null when not published. */
  format: string | null; vllmParser: string; notes?: string };
  systemPrompt?: { source: string; summary?: string };
  ollama?: { reference: string | null; notes?: string };
  notes?: string[];
}
