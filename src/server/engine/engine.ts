/**
 * The model on node-llama-cpp: one context with a sequence per parallel request, batched together, and chat
 * generation through the GGUF's own chat template (Devstral's tool-call format). Every protocol comes here as an
 * EngineRequest; output limits, tool grammars and prefix reuse are decided once, here.
 */
import type { ChatHistoryItem, ChatModelFunctions, ChatWrapper, LLamaChatGenerateResponseOptions, Llama, LlamaChatResponse, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { contextLengthExceeded } from '../apiError.js';
import { batchWholeSteps, type WholeSteps } from './batchWholeSteps.js';
import type { BackendStatus, ChatBackend, EngineRequest, GenerationHandlers, GenerationResult, SamplingOptions } from './engineRequest.js';
import { jsonSchemaToGbnf } from './jsonSchemaToGbnf.js';
import { commonPrefixLength, SequencePool } from './sequencePool.js';
import { SIDE_CONTEXT_TOKENS, SideContext } from './sideContext.js';
import { toChatHistory } from './toChatHistory.js';
import { ToolCallStream } from './toolCallStream.js';
import { ToolGrammars } from './toolGrammars.js';

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
  /** Output tokens when a request names none (default: what is left of the context). */
  maxTokensDefault?: number;
  log: (line: string) => void;
}

type Nlc = typeof import('node-llama-cpp');

interface PreparedChat {
  history: ChatHistoryItem[];
  functions?: ChatModelFunctions;
  wrapper: ChatWrapper;
  promptTokens: Token[];
  release: () => void;
}

export class Engine implements ChatBackend {
  private readonly pool: SequencePool<LlamaContextSequence>;
  private readonly steps: WholeSteps | undefined;
  private readonly side: SideContext;

  private constructor(
    private readonly nlc: Nlc,
    readonly llama: Llama,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    private readonly chatWrapper: ChatWrapper,
    private readonly tools: ToolGrammars,
    private readonly options: EngineOptions,
  ) {
    const sequences = Array.from({ length: options.parallel }, () => context.getSequence());
    this.pool = new SequencePool(sequences);
    this.side = new SideContext(model, options.threads, options.log);
    this.steps = options.parallel > 1 ? batchWholeSteps(context) : undefined;
    if (options.parallel > 1 && !this.steps) options.log('warning: node-llama-cpp internals changed; parallel requests may not share every decode step');
  }

  static async load(options: EngineOptions): Promise<Engine> {
    const nlc = await import('node-llama-cpp');
    // llama.cpp's own error lines: logged once, and the last one names the reason if loading fails.
    const errors: string[] = [];
    const llama = await nlc.getLlama({
      gpu: options.gpu,
      build: 'never',
      maxThreads: options.threads,
      logLevel: nlc.LlamaLogLevel.warn,
      logger: (level, message) => {
        if (level !== nlc.LlamaLogLevel.error && level !== nlc.LlamaLogLevel.fatal) return;
        errors.push(message.trim());
        options.log(`llama.cpp: ${message.trim()}`);
      },
    });
    try {
      return await Engine.loadOn(nlc, llama, options);
    } catch (error) {
      const reason = errors.filter(Boolean).at(-1);
      throw new Error(reason && !(error as Error).message.includes(reason) ? `${(error as Error).message} (llama.cpp: ${reason})` : (error as Error).message, { cause: error });
    }
  }

  private static async loadOn(nlc: Nlc, llama: Llama, options: EngineOptions): Promise<Engine> {
    const tools = await ToolGrammars.install(llama);
    if (!tools.hooked) options.log('warning: node-llama-cpp internals changed; tool-call arguments are constrained to JSON objects only, not to their schemas');
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
    return new Engine(nlc, llama, model, context, chatWrapper, tools, options);
  }

  get contextLength(): number {
    return this.context.contextSize;
  }

  get backend(): string {
    return this.llama.gpu === false ? 'cpu' : this.llama.gpu;
  }

  get parallel(): number {
    return this.options.parallel;
  }

  status(): BackendStatus {
    return { parallel: this.options.parallel, busy: this.options.parallel - this.pool.available, queued: this.pool.queued };
  }

  async countTokens(request: EngineRequest): Promise<number> {
    const prepared = this.prepare(request);
    prepared.release();
    return prepared.promptTokens.length;
  }

  async generate(request: EngineRequest, handlers: GenerationHandlers): Promise<GenerationResult> {
    const { history, functions, wrapper, promptTokens, release } = this.prepare(request);
    let sequence: LlamaContextSequence | undefined;
    let releaseSequence: (() => void) | undefined;
    let chat: InstanceType<Nlc['LlamaChat']> | undefined;
    try {
      const maxTokens = this.outputBudget(promptTokens.length, request.maxTokens);
      const grammar = await this.grammarFor(request);
      ({ sequence, release: releaseSequence } = await this.acquire(promptTokens, request.maxTokens, handlers.signal));
      // What this sequence already evaluated of the prompt is not evaluated again (reported as cached).
      const cachedTokens = commonPrefixLength(sequence.contextTokens, promptTokens);
      handlers.onStart?.({ promptTokens: promptTokens.length, cachedTokens });
      const started = performance.now();
      let firstOutput: number | undefined;
      const first = () => (firstOutput ??= performance.now());
      chat = new this.nlc.LlamaChat({ contextSequence: sequence, chatWrapper: wrapper, autoDisposeSequence: false });
      // Sampled tokens, function calls included (onToken reports only text).
      const outputBefore = sequence.tokenMeter.usedOutputTokens;
      const calls = new ToolCallStream(handlers.onToolCall);
      const options = {
        signal: handlers.signal,
        stopOnAbortSignal: true,
        ...this.sampling(request),
        maxTokens,
        // The output budget keeps generation inside the context: history is never silently dropped.
        contextShift: { size: 1, strategy: () => Promise.reject(contextLengthExceeded(promptTokens.length, this.contextLength)) },
        onTextChunk: (text: string) => {
          if (!text) return;
          first();
          handlers.onText?.(text);
        },
        ...(grammar ? { grammar } : {}),
        ...(functions
          ? {
              functions,
              ...(request.parallelToolCalls ? {} : { maxParallelFunctionCalls: 1 }),
              onFunctionCallParamsChunk: (chunk: { callIndex: number; functionName: string; paramsChunk: string }) => {
                first();
                calls.push(chunk.callIndex, chunk.functionName, chunk.paramsChunk);
              },
            }
          : {}),
      } as LLamaChatGenerateResponseOptions<ChatModelFunctions>;
      const response: LlamaChatResponse<ChatModelFunctions> = await chat.generateResponse<ChatModelFunctions>(history, options);
      const toolCalls = calls.finish(response.functionCalls ?? []);
      const metadata = response.metadata;
      const completionTokens = Math.min(sequence.tokenMeter.usedOutputTokens - outputBefore, maxTokens);
      const seconds = (ms: number) => (ms / 1000).toFixed(2);
      this.options.log(
        `info: ${promptTokens.length} prompt tokens (${cachedTokens} cached), ${completionTokens} generated in ${seconds(performance.now() - started)} s` +
          (firstOutput !== undefined ? ` (first token after ${seconds(firstOutput - started)} s)` : '') +
          `, ${metadata.stopReason}${sequence.context === this.context ? '' : ', side context'}`,
      );
      return {
        text: response.response,
        toolCalls,
        // A call cut short by the limit is still reported (its arguments as far as they got), with "length".
        finishReason: metadata.stopReason === 'maxTokens' ? 'length' : toolCalls.length ? 'tool_calls' : 'stop',
        ...(metadata.stopReason === 'customStopTrigger' ? { stopSequence: metadata.customStopTrigger.filter((p): p is string => typeof p === 'string').join('') } : {}),
        usage: { promptTokens: promptTokens.length, completionTokens, cachedTokens },
        aborted: metadata.stopReason === 'abort',
      };
    } finally {
      release();
      chat?.dispose({ disposeSequence: false });
      releaseSequence?.();
    }
  }

  /** Legacy completions: the prompt as given, no chat template. */
  async complete(request: SamplingOptions & { prompt: string }, handlers: GenerationHandlers): Promise<GenerationResult> {
    const tokens = this.model.tokenize(request.prompt, false);
    const maxTokens = this.outputBudget(tokens.length, request.maxTokens, 'prompt');
    const { sequence, release } = await this.acquire(tokens, request.maxTokens, handlers.signal);
    const cachedTokens = commonPrefixLength(sequence.contextTokens, tokens);
    const completion = new this.nlc.LlamaCompletion({ contextSequence: sequence });
    const outputBefore = sequence.tokenMeter.usedOutputTokens;
    try {
      const { response: text, metadata } = await completion.generateCompletionWithMeta(request.prompt, {
        signal: handlers.signal,
        stopOnAbortSignal: true,
        ...this.sampling(request),
        maxTokens,
        ...(handlers.onText ? { onTextChunk: (chunk: string) => chunk && handlers.onText!(chunk) } : {}),
      });
      // The meter also counts the token sampled when the limit is hit, which is not part of the text.
      const completionTokens = Math.min(sequence.tokenMeter.usedOutputTokens - outputBefore, maxTokens);
      return {
        text,
        toolCalls: [],
        finishReason: metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
        usage: { promptTokens: tokens.length, completionTokens, cachedTokens },
        aborted: handlers.signal.aborted,
      };
    } finally {
      completion.dispose({ disposeSequence: false });
      release();
    }
  }

  /**
   * A sequence for the prompt: the main pool's, or the side context's for a short request (its whole output asked
   * for and fitting) that would otherwise throw away a long cached conversation.
   */
  private async acquire(prompt: Token[], requested: number | undefined, signal: AbortSignal): Promise<{ sequence: LlamaContextSequence; release: () => void }> {
    const short = requested !== undefined && prompt.length + requested < SIDE_CONTEXT_TOKENS;
    if (short && this.pool.wouldDiscard(prompt, SIDE_CONTEXT_TOKENS)) {
      const sequence = await this.side.take();
      if (sequence) return { sequence, release: () => this.side.release() };
    }
    const sequence = await this.pool.acquire(prompt, signal);
    return {
      sequence,
      release: () => {
        this.steps?.end(sequence);
        this.pool.release(sequence);
      },
    };
  }

  async dispose(): Promise<void> {
    await this.side.dispose();
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }

  /**
   * The tokens a request may generate: what it asks for (or the server default), never more than is left of the
   * context after the prompt (agents ask 32000 whatever the context; Codex asks nothing). A prompt that leaves no
   * room is refused with both numbers. node-llama-cpp keeps one position free, hence the - 1.
   */
  private outputBudget(promptTokens: number, requested: number | undefined, param = 'messages'): number {
    const room = this.contextLength - 1 - promptTokens;
    if (room < 1) throw contextLengthExceeded(promptTokens, this.contextLength, param);
    return Math.min(requested ?? this.options.maxTokensDefault ?? room, room);
  }

  /** The history, the functions and the wrapper that renders them, and the prompt's tokens; `release` when done. */
  private prepare(request: EngineRequest): PreparedChat {
    const history = toChatHistory(request.messages);
    const useTools = request.tools.length > 0 && request.toolChoice !== 'none' && request.responseFormat.type === 'text';
    const tools = !useTools ? [] : typeof request.toolChoice === 'object' ? request.tools.filter((t) => t.name === (request.toolChoice as { name: string }).name) : request.tools;
    const grammars = tools.map((t) => this.tools.paramsFor(t.parameters));
    const release = () => grammars.forEach((g) => g.release());
    const functions: ChatModelFunctions | undefined = tools.length
      ? Object.fromEntries(tools.map((t, i) => [t.name, { ...(t.description ? { description: t.description } : {}), params: grammars[i]!.params as never }]))
      : undefined;
    const shown: ChatModelFunctions = Object.fromEntries(tools.map((t) => [t.name, { ...(t.description ? { description: t.description } : {}), params: t.parameters as never }]));
    const wrapper = showFunctions(this.chatWrapper, shown, useTools && request.toolChoice !== 'auto', this.nlc);
    try {
      const promptTokens = wrapper
        .generateContextState({ chatHistory: [...history, { type: 'model', response: [] }], ...(functions ? { availableFunctions: functions } : {}) })
        .contextText.tokenize(this.model.tokenizer);
      return { history, ...(functions ? { functions } : {}), wrapper, promptTokens, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  private sampling(request: SamplingOptions) {
    const penalties = request.frequencyPenalty !== undefined || request.presencePenalty !== undefined;
    return {
      temperature: request.temperature ?? this.options.defaultTemperature,
      ...(request.topP !== undefined ? { topP: request.topP } : {}),
      ...(request.topK !== undefined ? { topK: request.topK } : {}),
      ...(this.options.minP !== undefined ? { minP: this.options.minP } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.stop.length ? { customStopTriggers: request.stop } : {}),
      // OpenAI semantics: no repetition penalty unless asked for.
      repeatPenalty: penalties ? { penalty: 1, frequencyPenalty: request.frequencyPenalty ?? 0, presencePenalty: request.presencePenalty ?? 0 } : (false as const),
    };
  }

  private async grammarFor(request: EngineRequest) {
    const format = request.responseFormat;
    if (format.type === 'text') return undefined;
    return this.llama.createGrammar({ grammar: jsonSchemaToGbnf(format.type === 'json_schema' ? format.schema : { type: 'object' }) });
  }
}

/**
 * The chat wrapper with the tools shown to the model as the client sent them (node-llama-cpp gets placeholders for
 * its grammar, see toolGrammars.ts); `forced` enters function-calling mode at once (tool_choice required or named).
 */
function showFunctions(wrapper: ChatWrapper, shown: ChatModelFunctions, forced: boolean, nlc: Nlc): ChatWrapper {
  const shownWrapper = Object.create(wrapper) as ChatWrapper;
  shownWrapper.generateContextState = (options) => {
    const state = wrapper.generateContextState({ ...options, ...(options.availableFunctions ? { availableFunctions: shown } : {}) });
    if (!forced) return state;
    return { contextText: state.contextText, stopGenerationTriggers: state.stopGenerationTriggers, noPrefixTrigger: { type: 'functionCall', inject: nlc.LlamaText([]) }, detectFunctionCalls: true };
  };
  return shownWrapper;
}
