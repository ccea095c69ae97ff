import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Llama } from 'node-llama-cpp';
import { TINY_CHAT_TEMPLATE, TINY_CONTROL_TOKENS, TINY_SPECIAL_TOKENS, writeTinyGguf } from '../support/writeTinyGguf.js';

// End-to-end: the generated GGUF loads in the real llama.cpp (CPU, one thread) and generates tokens.
describe('tiny GGUF in node-llama-cpp', () => {
  let dir = '';
  let llama: Llama;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'devstral-tiny-'));
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    llama = await getLlama({ gpu: false, maxThreads: 1, build: 'never', logLevel: LlamaLogLevel.error });
  });
  after(async () => {
    await llama?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  for (const tensorType of ['F32', 'F16'] as const) {
    it(`loads the ${tensorType} model and generates a few tokens`, async () => {
      const tiny = await writeTinyGguf(join(dir, `tiny-${tensorType}.gguf`), { tensorType });
      const model = await llama.loadModel({ modelPath: tiny.path });
      try {
        assert.equal(model.fileInfo.metadata.general.name, 'Tiny Devstral Test');
        assert.equal(model.trainContextSize, 4096);
        assert.equal(model.tokens.bos, TINY_SPECIAL_TOKENS.bos);
        assert.equal(model.tokens.eos, TINY_SPECIAL_TOKENS.eos);
        // Control tokens are single special tokens; text round-trips through the byte-level BPE.
        assert.deepEqual(model.tokenize(TINY_CONTROL_TOKENS.join(''), true), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        const text = 'Hello the world {"a": 1}\n';
        assert.equal(model.detokenize(model.tokenize(text)), text);

        const context = await model.createContext({ contextSize: 256 });
        const sequence = context.getSequence();
        const generate = async () => {
          const tokens: number[] = [];
          for await (const token of sequence.evaluate(model.tokenize('[INST]hi[/INST]', true), { temperature: 0 })) {
            tokens.push(token);
            if (tokens.length === 4) break;
          }
          await sequence.clearHistory();
          return tokens;
        };
        const first = await generate();
        assert.equal(first.length, 4);
        for (const token of first) assert.ok(token >= 0 && token < tiny.summary.vocabSize);
        assert.deepEqual(await generate(), first, 'greedy generation is deterministic');
        await context.dispose();
      } finally {
        await model.dispose();
      }
    });
  }

  // An explicit JinjaTemplateChatWrapper: letting LlamaChatSession resolve the wrapper itself compares the
  // template with every built-in wrapper, which took 2-7 s here.
  it('renders chats and tool calls with the Mistral-style template, and chats', async () => {
    const { JinjaTemplateChatWrapper, LlamaChatSession } = await import('node-llama-cpp');
    const tiny = await writeTinyGguf(join(dir, 'tiny-chat.gguf'));
    const model = await llama.loadModel({ modelPath: tiny.path });
    const context = await model.createContext({ contextSize: 1024 });
    try {
      assert.equal(model.fileInfo.metadata.tokenizer.chat_template, TINY_CHAT_TEMPLATE);
      const chatWrapper = new JinjaTemplateChatWrapper({ template: TINY_CHAT_TEMPLATE });
      assert.equal(chatWrapper.usingJinjaFunctionCallTemplate, true, 'node-llama-cpp understood the tool-call syntax');
      const { contextText } = chatWrapper.generateContextState({
        chatHistory: [
          { type: 'system', text: 'S' },
          { type: 'user', text: 'U' },
          { type: 'model', response: [{ type: 'functionCall', name: 'get_weather', params: { city: 'Oslo' }, result: { temp: 3 } }, 'Cold.'] },
          { type: 'user', text: 'V' },
        ],
        availableFunctions: { get_weather: { description: 'Weather', params: { type: 'object', properties: { city: { type: 'string' } } } } },
      });
      // v13: the tools at the first user turn, so the conversation keeps its prefix as it grows.
      assert.equal(contextText.toString(), 'BOS[SYSTEM_PROMPT]S[/SYSTEM_PROMPT]'
        + '[AVAILABLE_TOOLS][{"type": "function", "function": {"name": "get_weather", "description": "Weather", '
        + '"parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}][/AVAILABLE_TOOLS][INST]U[/INST]'
        + '[TOOL_CALLS]get_weather[ARGS]{"city": "Oslo"}EOS[TOOL_RESULTS]{"temp": 3}[/TOOL_RESULTS]Cold.EOS[INST]V[/INST]');

      const session = new LlamaChatSession({ contextSequence: context.getSequence(), chatWrapper, systemPrompt: 'Be brief.' });
      const answer = await session.prompt('hi', { maxTokens: 3 });
      assert.equal(typeof answer, 'string');
    } finally {
      await context.dispose();
      await model.dispose();
    }
  });
});
