/** The planner's shapes: what the user constrains, the plan, and how its server listens. Shared by plan/ (which makes
 * plans) and runtimes/ (which turns them into commands), so neither imports the other's types. */
import type { RuntimeId } from './profiles/modelProfile.js';

export type KvCacheType = 'auto' | 'f16' | 'fp8' | 'q8_0';

/** What coding agents need at least: smaller contexts get a warning. */
export const AGENT_MIN_CONTEXT = 32768;

/** What the user constrains; everything else the planner chooses. */
export interface PlanOptions {
  runtime?: RuntimeId;
  /** Artifact id or quantization name (case-insensitive), e.g. Q4_K_M, bf16, fp8. */
  quant?: string;
  ctx?: number;
  /** Smallest acceptable context; default 32768 (what coding agents need). */
  minCtx?: number;
  /** The coding agent minCtx was chosen for (`--for`), named in reasons and refusals. */
  forAgent?: string;
  tp?: number;
  /** GPU indices to use (default: all). */
  gpus?: number[];
  /** Identical machines (the hardware describes one) to serve one model across: vLLM, pipeline parallel. */
  nodes?: number;
  /** Only artifacts from this Hugging Face repo (the user named it: hf:ORG/REPO). */
  repo?: string;
  /** A branch, tag or commit of the artifact's repo (hf:...@REVISION). */
  revision?: string;
  /** The model is a GGUF file on disk (--model FILE.gguf): only llama.cpp opens one. */
  localFile?: boolean;
}

/** Where and how the server listens: fed to the launch-command builders. */
export interface ServeOptions {
  host: string;
  /** Default: the runtime's usual port (8000; Ollama 11434). */
  port?: number;
  apiKey?: string;
  servedModelName?: string;
}

export type ResolvedServeOptions = ServeOptions & { port: number };

export type Device = 'cuda' | 'metal' | 'vulkan' | 'cpu';

export interface LaunchCommand {
  argv: string[];
  env: Record<string, string>;
  /** Run once the server answers (Ollama: pull, create the model with the planned context). */
  setup?: { argv: string[]; env?: Record<string, string> }[];
  /** Answers once the server is up (the setup steps wait for it). */
  readyUrl?: string;
  /** Files the setup steps read. */
  files?: { path: string; content: string }[];
}

export interface PlanArtifact {
  id: string;
  format: 'safetensors' | 'gguf';
  source: string;
  quantization: string;
  bytes: number;
  /** True when the size is an estimate from bits per weight (the profile does not know it). */
  bytesEstimated: boolean;
  official: boolean;
  ollama?: string;
  revision?: string;
}

export interface PlanMemory {
  weightsBytes: number;
  kvCacheBytes: number;
  overheadBytes: number;
  /** Memory the plan may use: GPU budget for vLLM and full offload, GPU + RAM for partial offload or CPU. */
  budgetBytes: number;
  /** Of the above, the part on GPUs (absent when nothing runs on a GPU). */
  gpuBytes?: number;
  /** The part in RAM; with unified memory (Apple) RAM holds the GPU part too. */
  ramBytes?: number;
}

/** Where clients connect once the server runs. */
export interface PlanEndpoint {
  baseUrl: string;
  /** The model name clients send. */
  model: string;
}

export interface Alternative {
  runtime: RuntimeId;
  artifact?: string;
  rejected: string;
}

export interface Plan {
  model: string;
  runtime: RuntimeId;
  artifact: PlanArtifact;
  contextLength: number;
  tensorParallelSize: number | null;
  /** vLLM: pipeline stages, one per node (1 on one machine); null for llama.cpp and Ollama. */
  pipelineParallelSize: number | null;
  /** Machines the plan spans (each like the hardware planned for). */
  nodes: number;
  /** llama.cpp / Ollama: repeating layers on the GPU (of `layers`); null for vLLM. */
  gpuLayers: number | null;
  layers: number;
  kvCacheType: KvCacheType;
  /** vLLM only. */
  gpuMemoryUtilization?: number;
  /** Indices of the GPUs the plan uses. */
  gpus: number[];
  device: Device;
  memory: PlanMemory;
  endpoint: PlanEndpoint;
  command: LaunchCommand;
  reasons: string[];
  warnings: string[];
  alternatives: Alternative[];
}

/** A plan before the endpoint and launch command are attached. */
export type PlanCore = Omit<Plan, 'command' | 'endpoint'>;

/** A runtime/artifact combination that does not work here, and why (with numbers). */
export interface Rejection {
  runtime: RuntimeId;
  artifact?: string;
  /** Size of the artifact, to show the smallest one in a refusal. */
  bytes?: number;
  reason: string;
  /** memory: it does not fit; platform: the runtime cannot run here at all. */
  kind: 'memory' | 'platform';
  /** The most context that does fit, when only --min-ctx stood in the way. */
  fitsContext?: number;
}
