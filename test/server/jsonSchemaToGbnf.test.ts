/**
 * JSON Schema -> GBNF: each grammar compiled by llama.cpp and run token by token over texts: what the schema allows
 * is accepted (keys in declared order), what it forbids is refused where the keyword is expressible. Also every tool
 * schema Claude Code and Codex send (the recorded requests) compiles and accepts a valid instance of itself.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LlamaGrammarEvaluationState, type Llama, type LlamaModel } from 'node-llama-cpp';
import { jsonSchemaToGbnf } from '../../src/server/engine/jsonSchemaToGbnf.ts';
import { loadTinyModel, type TinyModel } from '../support/loadTinyModel.ts';

let tiny: TinyModel;
let llama: Llama;
let model: LlamaModel;
before(async () => {
  tiny = await loadTinyModel();
  ({ llama, model } = tiny);
});
after(() => tiny?.dispose());

type Sampler = { canBeNextTokenForGrammarEvaluationState(state: unknown, token: number): boolean; acceptGrammarEvaluationStateToken(state: unknown, token: number): void };

/** Whether the grammar accepts exactly `text`: every token allowed in turn, and then the end. */
async function accepts(grammarText: string, text: string): Promise<boolean> {
  const grammar = await llama.createGrammar({ grammar: grammarText });
  const state = new LlamaGrammarEvaluationState({ model, grammar });
  const sampler = (llama as unknown as { _bindings: { AddonSampler: Sampler } })._bindings.AddonSampler;
  const native = (state as unknown as { _state: unknown })._state;
  for (const token of model.tokenize(text, false)) {
    if (!sampler.canBeNextTokenForGrammarEvaluationState(native, token)) return false;
    sampler.acceptGrammarEvaluationStateToken(native, token);
  }
  return sampler.canBeNextTokenForGrammarEvaluationState(native, model.tokens.eos!);
}

async function check(schema: unknown, valid: string[], invalid: string[]): Promise<void> {
  const gbnf = jsonSchemaToGbnf(schema);
  for (const text of valid) assert.ok(await accepts(gbnf, text), `should accept ${text}\n${gbnf}`);
  for (const text of invalid) assert.ok(!(await accepts(gbnf, text)), `should refuse ${text}\n${gbnf}`);
}

describe('jsonSchemaToGbnf', () => {
  it('optional properties may be left out; required ones may not; no unknown keys', () =>
    check(
      { type: 'object', properties: { a: { type: 'string', maxLength: 5 }, b: { type: 'integer' }, c: { type: 'boolean' } }, required: ['a'] },
      ['{"a":"x"}', '{"a": "x", "c": true}', '{"a":"xyz","b":3,"c":false}', '{ "a":"" }'],
      ['{}', '{"b":3}', '{"a":"x","d":1}', '{"a":"toolong"}', '{"a":"x",}', '{"c":true,"a":"x"}'],
    ));

  it('all properties optional, and an empty object', () => check({ type: 'object', properties: { x: { type: 'number' }, y: { type: 'null' } } }, ['{}', '{"y":null}', '{"x":1.5,"y":null}'], ['{"y":1}']));

  it('integer ranges, inclusive and exclusive, with negatives', async () => {
    await check({ type: 'integer', minimum: 0, maximum: 600000 }, ['0', '7', '599999', '600000'], ['-1', '600001', '1.5', '01', '1e3']);
    await check({ type: 'integer', exclusiveMinimum: 0 }, ['1', '9', '10', '123456789'], ['0', '-3']);
    await check({ type: 'integer', minimum: -5, maximum: 3 }, ['-5', '-1', '0', '3'], ['-6', '4', '-0']);
    await check({ type: 'integer', minimum: 0, maximum: 9007199254740991 }, ['0', '9007199254740991', '123'], ['-1', '9007199254740992']);
  });

  it('decimal ranges with integer bounds', async () => {
    await check({ type: 'number', minimum: 0, maximum: 1 }, ['0', '0.5', '1', '1.0'], ['1.5', '-0.1', '2']);
    await check({ type: 'number', exclusiveMinimum: 0 }, ['0.001', '3.2', '12'], ['0', '0.0', '-1']);
  });

  it('anyOf of consts, enums, type lists, nullable', async () => {
    await check({ anyOf: [{ const: 'replace' }, { const: 'append' }] }, ['"replace"', '"append"'], ['"x"']);
    await check({ enum: ['a', 1, null, true] }, ['"a"', '1', 'null', 'true'], ['false', '"b"']);
    await check({ type: ['string', 'null'] }, ['"s"', 'null'], ['1']);
    await check({ type: 'integer', nullable: true }, ['1', 'null'], ['"1"']);
  });

  it('patterns, anchored and not; formats', async () => {
    await check({ type: 'string', pattern: '^wf_[a-z0-9-]{6,}$' }, ['"wf_abc123"', '"wf_a-b-c-d"'], ['"wf_ab"', '"xwf_abcdef"', '"wf_ABCDEF"']);
    await check({ type: 'string', pattern: '[0-9]+' }, ['"abc1"', '"1"', '"x9y"'], ['"abc"']);
    await check({ type: 'string', pattern: '^(foo|ba[rz])\\.txt$' }, ['"foo.txt"', '"baz.txt"'], ['"bat.txt"', '"fooxtxt"']);
    await check({ type: 'string', format: 'date-time' }, ['"2026-12-07T10:00:00Z"', '"2026-12-07T10:00:00.5+01:00"'], ['"yesterday"']);
    await check({ type: 'string', format: 'uuid' }, ['"123e4567-e89b-12d3-a456-426614174000"'], ['"123"']);
    // Lookaround cannot be grammar: any string (every valid value still passes).
    await check({ type: 'string', pattern: '^(?=a)\\w+$' }, ['"abc"', '"zzz"'], []);
  });

  it('$ref into $defs, recursive', () =>
    check(
      { $defs: { node: { type: 'object', properties: { v: { type: 'integer' }, kids: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['v'] } }, $ref: '#/$defs/node' },
      ['{"v":1}', '{"v":1,"kids":[{"v":2},{"v":3,"kids":[]}]}'],
      ['{"kids":[]}', '{"v":1,"kids":[{}]}'],
    ));

  it('additionalProperties with propertyNames and maxProperties; open objects', async () => {
    await check({ type: 'object', propertyNames: { pattern: '^[a-z]+$' }, additionalProperties: { type: 'boolean' }, maxProperties: 2 }, ['{}', '{"ab":true}', '{"a":true,"b":false}'], ['{"A":true}', '{"a":true,"b":true,"c":true}', '{"a":1}']);
    await check({ type: 'object' }, ['{}', '{"any":[1,{"x":null}]}'], ['[]']);
    await check({ type: 'object', properties: {}, additionalProperties: false }, ['{}'], ['{"a":1}']);
  });

  it('arrays: items, minItems/maxItems, prefixItems', async () => {
    await check({ type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 2 }, ['[1]', '[1, 2]'], ['[]', '[1,2,3]', '["a"]']);
    await check({ type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false, minItems: 1 }, ['["a"]', '["a",1]'], ['[]', '[1]']);
  });

  it('allOf of objects merges properties and required', () =>
    check({ allOf: [{ type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] }, { properties: { b: { type: 'boolean' } }, required: ['b'] }] }, ['{"a":1,"b":true}'], ['{"a":1}', '{"b":true}']));

  it('keywords it cannot express are loosened, never an error: not, if/then, multipleOf, unknown $ref, true/false, junk', async () => {
    for (const schema of [{ not: { type: 'string' } }, { if: { type: 'string' }, then: { minLength: 2 } }, { type: 'integer', multipleOf: 3 }, { $ref: 'https://example.com/s.json' }, true, false, null, 42, { type: 'strange' }, { type: 'string', pattern: '(' }]) {
      const gbnf = jsonSchemaToGbnf(schema);
      assert.ok(await accepts(gbnf, '"x"') || await accepts(gbnf, '1'), `${JSON.stringify(schema)} accepts something\n${gbnf}`);
    }
    await check({ type: 'integer', multipleOf: 3 }, ['4', '3'], ['"3"']);
  });

  it("every tool schema Claude Code and Codex send compiles and accepts a valid instance of itself", async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const read = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/agents/${name}`, import.meta.url), 'utf8')).body;
    const claude = (read('claude-code-messages-turn1.json').tools as { name: string; input_schema: object }[]).map((t) => [t.name, t.input_schema] as const);
    type CodexTool = { type: string; name: string; parameters?: object; tools?: CodexTool[] };
    const codexTools = read('codex-responses-turn1.json').tools as CodexTool[];
    const codex = codexTools.flatMap((t): CodexTool[] => (t.type === 'namespace' ? t.tools! : t.type === 'function' ? [t] : [])).map((t) => [t.name, t.parameters!] as const);
    assert.equal(claude.length, 24);
    assert.ok(codex.length >= 10);
    for (const [name, schema] of [...claude, ...codex]) {
      const instance = minimalInstance(schema);
      assert.ok(ajv.validate(schema, instance), `${name}: the test's own instance is valid: ${JSON.stringify(instance)} ${ajv.errorsText()}`);
      assert.ok(await accepts(jsonSchemaToGbnf(schema), JSON.stringify(instance)), `${name} accepts ${JSON.stringify(instance)}`);
    }
  });
});

/** The smallest valid value: required properties only, the first enum value, lower bounds. */
function minimalInstance(schema: unknown): unknown {
  const s = (schema ?? {}) as Record<string, unknown>;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (Array.isArray(s.anyOf)) return minimalInstance(s.anyOf[0]);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(((s.required as string[] | undefined) ?? []).map((k) => [k, minimalInstance((s.properties as Record<string, unknown>)[k])]));
    case 'array':
      return Array.from({ length: (s.minItems as number | undefined) ?? 0 }, () => minimalInstance(s.items));
    case 'string':
      return s.format === 'uri' ? 'https://x.io' : 'x'.repeat((s.minLength as number | undefined) ?? 1);
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}
