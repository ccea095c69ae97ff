/**
 * The model on node-llama-cpp: one context with a sequence per parallel request, batched together by
 * node-llama-cpp, and chat generation through the GGUF's own chat template (Devstral's tool-call format).
 */
import type { ChatHistoryItem, ChatModelFunctions, ChatWrapper, LLamaChatGenerateResponseOptions, Llama, LlamaChatResponse, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { newToolCallId } from './toolCallIds.js';
import type { ChatRequest } from './parseChatRequest.js';
import { batchWholeSteps, type WholeSteps } from './batchWholeSteps.js';
import { boundJsonNumbers } from './boundJsonNumbers.js';
import { commonPrefixLength, SequencePool } from './sequencePool.js';
import { toChatHistory } from './toChatHistory.js';
import { contextLengthExceeded } from './openAiError.js';

export interface EngineOptions {
  modelPath: string;
  /** Tokens per sequence (each parallel request gets this much). */
  contextSize?: number;
  parallel: number;
  threads: number;
  gpu: 'auto' | 'cuda' | 'metal' | 'vulkan' | false;
  gpuLayers?: number | 'max' | 'auto';
  kvCacheType?: 'q8_0';
  /** Used when a request leaves it out (Devstral: 0.15). */
  defaultTemperature: number;
  minP?: number;
  log: (line: string) => void;
}

export interface ToolCallOut {
  id: string;
  name: string;
  arguments: string;
}

export interface GenerationHandlers {
  onText?: (text: string) => void;
  /** Streamed tool-call deltas in OpenAI's shape: the first delta of a call has id and name. */
  onToolCall?: (delta: { index: number; id?: string; name?: string; arguments: string }) => void;
  signal: AbortSignal;
}

export interface GenerationResult {
  text: string;
  toolCalls: ToolCallOut[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details?: { cached_tokens: number } };
  aborted: boolean;
}

type Nlc = typeof import('node-llama-cpp');

export class Engine {
  private readonly pool: SequencePool<LlamaContextSequence>;
  private readonly steps: WholeSteps | undefined;

  private constructor(
    private readonly nlc: Nlc,
    readonly llama: Llama,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    private readonly chatWrapper: ChatWrapper,
    private readonly options: EngineOptions,
  ) {
    const sequences = Array.from({ length: options.parallel }, () => context.getSequence());
    this.pool = new SequencePool(sequences);
    this.steps = options.parallel > 1 ? batchWholeSteps(context) : undefined;
    if (options.parallel > 1 && !this.steps) options.log('warning: node-llama-cpp internals changed; parallel requests may not share every decode step');
  }

  static async load(options: EngineOptions): Promise<Engine> {
    const nlc = await import('node-llama-cpp');
    const llama = await nlc.getLlama({
      gpu: options.gpu,
      build: 'never',
      maxThreads: options.threads,
      logLevel: nlc.LlamaLogLevel.warn,
      logger: (level, message) => {
        if (level === nlc.LlamaLogLevel.error || level === nlc.LlamaLogLevel.fatal) options.log(`llama.cpp: ${message.trim()}`);
      },
    });
    if (!boundJsonNumbers(llama)) options.log('warning: node-llama-cpp internals changed; JSON grammars allow exponents in integers');
    const model = await llama.loadModel({
      modelPath: options.modelPath,
      ...(options.gpuLayers !== undefined ? { gpuLayers: options.gpuLayers } : {}),
      ...(options.kvCacheType ? { experimentalDefaultContextKvCacheKeyType: 'Q8_0' as const, experimentalDefaultContextKvCacheValueType: 'Q8_0' as const, defaultContextFlashAttention: true } : {}),
    });
    const context = await model.createContext({
      sequences: options.parallel,
      threads: options.threads,
      ...(options.contextSize ? { contextSize: options.contextSize } : { contextSize: { max: Math.min(model.trainContextSize, 32768) } }),
    });
    const template = model.fileInfo.metadata.tokenizer?.chat_template;
    // The GGUF's own template renders Devstral's format; resolving a wrapper by comparing every built-in one takes seconds.
    const chatWrapper = typeof template === 'string' ? new nlc.JinjaTemplateChatWrapper({ template }) : nlc.resolveChatWrapper(model);
    return new Engine(nlc, llama, model, context, chatWrapper, options);
  }

  get contextLength(): number {
    return this.context.contextSize;
  }

  get backend(): string {
    return this.llama.gpu === false ? 'cpu' : this.llama.gpu;
  }

  get queued(): number {
    return this.pool.queued;
  }

  get parallel(): number {
    return this.options.parallel;
  }

  /** Sequences free right now. */
  get available(): number {
    return this.pool.available;
  }

  async chat(request: ChatRequest, handlers: GenerationHandlers): Promise<GenerationResult> {
    const history: ChatHistoryItem[] = toChatHistory(request.messages);
    const { functions, forced } = this.functionsFor(request);
    const wrapper = forced ? forceFunctionCall(this.chatWrapper, this.nlc) : this.chatWrapper;
    const promptTokens = wrapper
      .generateContextState({ chatHistory: [...history, { type: 'model', response: [] }], ...(functions ? { availableFunctions: functions } : {}) })
      .contextText.tokenize(this.model.tokenizer);
    this.checkContext(promptTokens.length);
    const grammar = await this.grammarFor(request);
    const sequence = await this.pool.acquire(promptTokens, handlers.signal);
    // What this sequence already evaluated of the prompt is not evaluated again (OpenAI reports it as cached).
    const cachedTokens = commonPrefixLength(sequence.contextTokens, promptTokens);
    const chat = new this.nlc.LlamaChat({ contextSequence: sequence, chatWrapper: wrapper, autoDisposeSequence: false });
    // Sampled tokens, function calls included (onToken reports only text).
    const outputBefore = sequence.tokenMeter.usedOutputTokens;
    const ids: string[] = [];
    try {
      const options = {
        signal: handlers.signal,
        stopOnAbortSignal: true,
        ...this.sampling(request),
        ...(handlers.onText ? { onTextChunk: (text: string) => text && handlers.onText!(text) } : {}),
        ...(grammar ? { grammar } : {}),
        ...(functions
          ? {
              functions,
              ...(request.parallelToolCalls ? {} : { maxParallelFunctionCalls: 1 }),
              onFunctionCallParamsChunk: (chunk: { callIndex: number; functionName: string; paramsChunk: string }) => {
                const first = ids[chunk.callIndex] === undefined;
                if (first) ids[chunk.callIndex] = newToolCallId(Math.random);
                handlers.onToolCall?.({ index: chunk.callIndex, ...(first ? { id: ids[chunk.callIndex]!, name: chunk.functionName } : {}), arguments: chunk.paramsChunk });
              },
            }
          : {}),
      } as LLamaChatGenerateResponseOptions<ChatModelFunctions>;
      const response: LlamaChatResponse<ChatModelFunctions> = await chat.generateResponse<ChatModelFunctions>(history, options);
      const toolCalls = (response.functionCalls ?? []).map((call, i) => ({
        id: ids[i] ?? (ids[i] = newToolCallId(Math.random)),
        name: call.functionName,
        arguments: JSON.stringify(call.params ?? {}),
      }));
      const stop = response.metadata.stopReason;
      const completionTokens = sequence.tokenMeter.usedOutputTokens - outputBefore;
      return {
        text: response.response,
        toolCalls,
        finishReason: toolCalls.length ? 'tool_calls' : stop === 'maxTokens' ? 'length' : 'stop',
        usage: {
          prompt_tokens: promptTokens.length,
          completion_tokens: completionTokens,
          total_tokens: promptTokens.length + completionTokens,
          prompt_tokens_details: { cached_tokens: cachedTokens },
        },
        aborted: stop === 'abort',
      };
    } finally {
      chat.dispose({ disposeSequence: false });
      this.steps?.end(sequence);
      this.pool.release(sequence);
    }
  }

  /** Legacy completions: the prompt as given, no chat template. */
  async complete(request: { prompt: string; maxTokens?: number; temperature?: number; topP?: number; seed?: number; stop: string[]; frequencyPenalty?: number; presencePenalty?: number }, handlers: GenerationHandlers): Promise<GenerationResult> {
    const tokens = this.model.tokenize(request.prompt, false);
    this.checkContext(tokens.length);
    const sequence = await this.pool.acquire(tokens, handlers.signal);
    const completion = new this.nlc.LlamaCompletion({ contextSequence: sequence });
    const outputBefore = sequence.tokenMeter.usedOutputTokens;
    try {
      const { response: text, metadata } = await completion.generateCompletionWithMeta(request.prompt, {
        signal: handlers.signal,
        stopOnAbortSignal: true,
        ...this.sampling(request),
        ...(handlers.onText ? { onTextChunk: (chunk: string) => chunk && handlers.onText!(chunk) } : {}),
      });
      // The meter also counts the token sampled when the limit is hit, which is not part of the text.
      const sampled = sequence.tokenMeter.usedOutputTokens - outputBefore;
      const completionTokens = metadata.stopReason === 'maxTokens' ? Math.min(sampled, request.maxTokens ?? sampled) : sampled;
      return {
        text,
        toolCalls: [],
        finishReason: metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
        usage: { prompt_tokens: tokens.length, completion_tokens: completionTokens, total_tokens: tokens.length + completionTokens },
        aborted: handlers.signal.aborted,
      };
    } finally {
      completion.dispose({ disposeSequence: false });
      this.steps?.end(sequence);
      this.pool.release(sequence);
    }
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }

  /**
   * A prompt that fills the context is refused with both numbers. A max_tokens beyond what is left is not an
   * error (agents send large ones): generation stops when the context is full, with finish_reason "length".
   */
  private checkContext(promptTokens: number): void {
    if (promptTokens >= this.contextLength) throw contextLengthExceeded(promptTokens, this.contextLength);
  }

  private sampling(request: { temperature?: number; topP?: number; seed?: number; maxTokens?: number; stop: string[]; frequencyPenalty?: number; presencePenalty?: number }) {
    const penalties = request.frequencyPenalty !== undefined || request.presencePenalty !== undefined;
    return {
      temperature: request.temperature ?? this.options.defaultTemperature,
      ...(request.topP !== undefined ? { topP: request.topP } : {}),
      ...(this.options.minP !== undefined ? { minP: this.options.minP } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      maxTokens: Math.min(request.maxTokens ?? this.contextLength, this.contextLength),
      ...(request.stop.length ? { customStopTriggers: request.stop } : {}),
      // OpenAI semantics: no repetition penalty unless asked for.
      repeatPenalty: penalties ? { penalty: 1, frequencyPenalty: request.frequencyPenalty ?? 0, presencePenalty: request.presencePenalty ?? 0 } : (false as const),
    };
  }

  private functionsFor(request: ChatRequest): { functions?: ChatModelFunctions; forced: boolean } {
    if (request.tools.length === 0 || request.toolChoice === 'none' || request.responseFormat.type !== 'text') return { forced: false };
    const tools = typeof request.toolChoice === 'object' ? request.tools.filter((t) => t.name === (request.toolChoice as { name: string }).name) : request.tools;
    const functions: ChatModelFunctions = Object.fromEntries(tools.map((t) => [t.name, { ...(t.description ? { description: t.description } : {}), params: t.parameters as never }]));
    return { functions, forced: request.toolChoice !== 'auto' };
  }

  private async grammarFor(request: ChatRequest) {
    const format = request.responseFormat;
    if (format.type === 'json_object') return this.llama.getGrammarFor('json');
    if (format.type === 'json_schema') return this.llama.createGrammarForJsonSchema(format.schema as never);
    return undefined;
  }
}

/** A chat wrapper that enters function-calling mode at once: tool_choice "required" or a named tool. */
function forceFunctionCall(wrapper: ChatWrapper, nlc: Nlc): ChatWrapper {
  const forced = Object.create(wrapper) as ChatWrapper;
  forced.generateContextState = (options) => {
    const state = wrapper.generateContextState(options);
    return { contextText: state.contextText, stopGenerationTriggers: state.stopGenerationTriggers, noPrefixTrigger: { type: 'functionCall', inject: nlc.LlamaText([]) }, detectFunctionCalls: true };
  };
  return forced;
}
