/**
 * JSON grammars with bounded numbers: integers without an exponent, exponents of at most two digits, so what a
 * model writes under a schema always parses to the type the schema says (node-llama-cpp's own rules allowed
 * "n": 72E75557 for an integer, and then its check of tool-call arguments threw).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { LlamaCompletion, type Llama, type LlamaModel } from 'node-llama-cpp';
import { boundNumberRules } from '../../src/server/engine/boundJsonNumbers.ts';
import { ToolGrammars } from '../../src/server/engine/toolGrammars.ts';
import { loadTinyModel, type TinyModel } from '../support/loadTinyModel.ts';

const SCHEMA = { type: 'object', properties: { n: { type: 'integer' }, x: { type: 'number' } }, required: ['n', 'x'] } as const;
let llama: Llama;
let model: LlamaModel;
let tiny: TinyModel;

before(async () => {
  tiny = await loadTinyModel();
  ({ llama, model } = tiny);
});

after(() => tiny?.dispose());

it('rewrites the number rules of the grammars node-llama-cpp writes, and nothing else', async () => {
  const original = (await llama.createGrammarForJsonSchema(SCHEMA as never)).grammar;
  const bounded = boundNumberRules(original);
  const rule = (text: string, name: string) => text.split('\n').find((line) => line.startsWith(`${name} ::= `));
  assert.match(rule(original, 'integer-number-rule') ?? '', /\[eE\]/, 'node-llama-cpp still writes its integer rule this way');
  assert.doesNotMatch(rule(bounded, 'integer-number-rule')!, /\[eE\]/);
  assert.match(rule(bounded, 'fractional-number-rule')!, /\[eE\] \[-\+\]\? \[0-9\]\{1,2\}\)\?$/);
  const others = (text: string) => text.split('\n').filter((line) => !/^(integer|fractional)-number-rule /.test(line));
  assert.deepEqual(others(bounded), others(original));
});

it('what the model writes under a schema parses to an integer and a finite number', async () => {
  assert.ok((await ToolGrammars.install(llama)).hooked, 'node-llama-cpp internals it relies on are there');
  const grammar = await llama.createGrammarForJsonSchema(SCHEMA as never);
  const context = await model.createContext({ contextSize: 512, threads: 1 });
  try {
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    for (let seed = 1; seed <= 6; seed++) {
      const text = await completion.generateCompletion('numbers:', { grammar, temperature: 1.5, seed, maxTokens: 200 });
      const value = grammar.parse(text) as unknown as { n: number; x: number };
      assert.ok(Number.isInteger(value.n) && Number.isFinite(value.x), `seed ${seed}: ${text}`);
    }
  } finally {
    await context.dispose();
  }
});
