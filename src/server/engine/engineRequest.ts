/**
 * The one request and result every protocol translates to and from (Chat Completions, Anthropic Messages, OpenAI
 * Responses), and the backend that serves them: node-llama-cpp in this process, or another server's Chat
 * Completions behind the gateway.
 */

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed arguments (an object for well-formed calls). */
  arguments: unknown;
}

export interface EngineMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls?: ToolCall[];
  /** role tool: the call it answers. */
  toolCallId?: string;
  name?: string;
}

export interface EngineTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments, as the client sent it. */
  parameters: Record<string, unknown>;
}

export type ToolChoice = 'none' | 'auto' | 'required' | { name: string };
export type ResponseFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown> };

export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  stop: string[];
  /** Most tokens to generate; absent = the server's default (what is left of the context unless set). */
  maxTokens?: number;
}

export interface EngineRequest extends SamplingOptions {
  messages: EngineMessage[];
  tools: EngineTool[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  responseFormat: ResponseFormat;
}

export interface ToolCallDelta {
  index: number;
  /** The first delta of a call carries its id and name. */
  id?: string;
  name?: string;
  arguments: string;
}

export interface GenerationHandlers {
  /** Generation is about to begin (the request left the queue): the prompt's size and how much of it was cached. */
  onStart?: (prompt: { promptTokens: number; cachedTokens: number }) => void;
  onText?: (text: string) => void;
  onToolCall?: (delta: ToolCallDelta) => void;
  signal: AbortSignal;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens that were already evaluated (prefix reuse). */
  cachedTokens: number;
}

export interface GenerationResult {
  text: string;
  /** Arguments as generated (a JSON string; cut short when finishReason is length). */
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  /** The stop sequence that ended the text, when one did. */
  stopSequence?: string;
  usage: Usage;
  aborted: boolean;
}

export interface BackendStatus {
  parallel: number;
  busy: number;
  queued: number;
}

/** Plain-text completion (/v1/completions), where a backend has it. */
export interface CompletionsBackend {
  complete(request: SamplingOptions & { prompt: string }, handlers: GenerationHandlers): Promise<GenerationResult>;
}

/** What the protocol faces call: the local engine or the gateway's upstream. */
export interface ChatBackend {
  readonly contextLength: number;
  generate(request: EngineRequest, handlers: GenerationHandlers): Promise<GenerationResult>;
  /** Prompt tokens of a request (tools and system included), as `usage` counts them. */
  countTokens(request: EngineRequest): Promise<number>;
  status(): BackendStatus;
  /** A backend that speaks Chat Completions itself (the gateway's upstream) answers those requests directly. */
  forward?(path: '/chat/completions' | '/completions', body: unknown, servedModel: string, res: import('node:http').ServerResponse, signal: AbortSignal): Promise<void>;
}
