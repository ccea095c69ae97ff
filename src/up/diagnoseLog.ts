/**
 * A failed server's log -> what went wrong and what to do, with the lines that show it. Patterns come from
 * vLLM, llama.cpp/node-llama-cpp and Ollama error messages. Pure.
 */
export interface Diagnosis {
  problem: string;
  hint: string;
  lines: string[];
  /** vLLM: the KV cache holds fewer tokens than --max-model-len; this context would fit. */
  retryContext?: number;
}

interface Rule {
  pattern: RegExp;
  diagnose: (match: RegExpMatchArray) => Omit<Diagnosis, 'lines'>;
}

const RULES: Rule[] = [
  {
    // vLLM: "...is larger than the maximum number of tokens that can be stored in KV cache (N). Try increasing
    // `gpu_memory_utilization` or decreasing `max_model_len`..." and newer "estimated maximum model length is N".
    pattern: /estimated maximum model length is (\d+)|maximum number of tokens that can be stored in KV cache \((\d+)\)/i,
    diagnose: (m) => {
      const fits = Number(m[1] ?? m[2]);
      return {
        problem: `the KV cache holds only ${fits} tokens, less than the context asked for`,
        hint: `run again with --ctx ${Math.floor(fits / 1024) * 1024} (or --auto-retry to do it now), or free GPU memory`,
        retryContext: Math.floor(fits / 1024) * 1024,
      };
    },
  },
  {
    pattern: /CUDA out of memory|torch\.OutOfMemoryError|cudaMalloc failed|out of memory|ErrorOutOfDeviceMemory|failed to allocate .* buffer/i,
    diagnose: () => ({ problem: 'the GPU ran out of memory while loading', hint: 'free GPU memory (other processes?), or lower --ctx, or choose a smaller --quant' }),
  },
  {
    pattern: /Unknown version: v13|mistral_common.*(?:version|requires)|MistralTokenizer.*v13/i,
    diagnose: () => ({ problem: 'mistral_common is too old for the Devstral 1.1 tokenizer (tekken v13)', hint: 'pip install -U "mistral_common>=1.7.0" (or use a newer vllm/vllm-openai image)' }),
  },
  {
    pattern: /address already in use|EADDRINUSE|bind: address|port \d+ .* in use/i,
    diagnose: () => ({ problem: 'the port is already in use', hint: 'choose another --port, or --port auto' }),
  },
  {
    pattern: /compute capability|no kernel image is available|Bfloat16 is only supported on GPUs with compute capability|FP8 .* not supported|GPU .* not supported/i,
    diagnose: () => ({ problem: 'this GPU is not supported by this runtime or checkpoint', hint: 'vLLM needs compute capability 7.0+ (FP8: 8.9+, or 8.0 with weight-only kernels); try --runtime llamacpp' }),
  },
  {
    pattern: /No CUDA GPUs are available|CUDA driver version is insufficient|libcuda\.so.*cannot open|NVIDIA driver on your system is too old/i,
    diagnose: () => ({ problem: 'CUDA is not usable (driver missing or too old)', hint: 'install or update the NVIDIA driver; check `nvidia-smi`' }),
  },
  {
    pattern: /401 Client Error|GatedRepoError|Access to model .* is restricted/i,
    diagnose: () => ({ problem: 'the model repo needs a Hugging Face token with access', hint: 'accept the licence on the model page and set HF_TOKEN' }),
  },
  {
    pattern: /error loading model|failed to load model|invalid magic|GGML_ASSERT/i,
    diagnose: () => ({ problem: 'the model file could not be loaded', hint: 'check that the GGUF is complete (`devstral pull` verifies it) and that this runtime supports its architecture' }),
  },
];

export function diagnoseLog(log: string): Diagnosis | undefined {
  const lines = log.split('\n');
  for (const rule of RULES) {
    const index = lines.findIndex((l) => rule.pattern.test(l));
    if (index < 0) continue;
    const match = lines[index]!.match(rule.pattern)!;
    return { ...rule.diagnose(match), lines: lines.slice(Math.max(0, index - 2), index + 3).filter((l) => l.trim()) };
  }
  return undefined;
}

/** vLLM prints progress while it loads (and answers no HTTP then): seeing it move extends the wait. */
export function isLoadingProgress(line: string): boolean {
  return /Loading (safetensors|weights)|Loading model|Model loading took|Memory profiling|graph capturing|Capturing CUDA graph|init engine|Starting to load model|%\|/i.test(line);
}
