/** What bench-serve.ts and its in-process worker say to each other (JSON lines over stdin/stdout). */

export const CONTEXT_SIZE = 1024;

/** One measured generation: per stream, ms from the common start to the first token and to the end. */
export interface Stream {
  firstMs: number;
  endMs: number;
  tokens: number;
}
export interface Run {
  streams: Stream[];
  wallMs: number;
  /** In-process only: llama_decode calls and sequences batched into them (prompt batches included). */
  decodes?: number;
  sequencesDecoded?: number;
}
export interface RunCommand {
  kind: 'run';
  prompts: string[];
  maxTokens: number;
}
/** The text of the first token each prompt generates. */
export interface ProbeCommand {
  kind: 'probe';
  prompts: string[];
}
/** Median ms of one decode step (one token) for 1 sequence and for 4 batched, no sampling: what llama.cpp can do. */
export interface CeilingCommand {
  kind: 'ceiling';
}
export type WorkerCommand = RunCommand | ProbeCommand | CeilingCommand;

export interface WorkerOptions {
  modelPath: string;
  threads: number;
  /** With src/server/engine/batchWholeSteps.ts, as the server runs. */
  wholeSteps?: boolean;
}
