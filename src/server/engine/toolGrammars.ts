/**
 * Tool-call arguments constrained by our own JSON-Schema grammar (jsonSchemaToGbnf) instead of node-llama-cpp's,
 * whose dialect makes every property required and knows few keywords: with it an agent's optional `offset`,
 * `timeout` or `replace_all` would always be written.
 *
 * node-llama-cpp builds a tool's argument grammar from `functions[name].params` and checks the parsed arguments
 * against the same schema. Each tool is handed a placeholder schema that names it; when node-llama-cpp compiles the
 * placeholder's grammar (through `_bindings.AddonGrammar`), our grammar is compiled instead, and the check of the
 * arguments skips placeholders (our grammar already guarantees them). The prompt still shows the client's schemas
 * (see displayedFunctions in engine.ts). Also bounds JSON numbers in every grammar (boundJsonNumbers.ts).
 *
 * Relies on node-llama-cpp internals (`_bindings.AddonGrammar`, FunctionCallParamsGrammar's `parseParams` and
 * `_paramsSchema`); when they differ, install() returns false and tools get an open-object grammar.
 */
import type { Llama } from 'node-llama-cpp';
import { boundNumberRules } from './boundJsonNumbers.js';
import { jsonSchemaToGbnf } from './jsonSchemaToGbnf.js';

const MARKER = 'devstral-tool-grammar-';
const STOP = '"\\n\\n\\n\\n"'; // node-llama-cpp ends argument grammars with four newlines
const OPEN_OBJECT = { type: 'object', additionalProperties: true } as const;

type ParamsGrammar = { _paramsSchema?: unknown; parseParams(text: string): { params: unknown; raw: string } };

export class ToolGrammars {
  private readonly grammars = new Map<string, string>();
  private readonly placeholders = new WeakSet<object>();
  private next = 0;

  private constructor(readonly hooked: boolean) {}

  /** Hooks `llama` (every grammar it compiles from now on); `hooked` is false when node-llama-cpp's internals differ. */
  static async install(llama: Llama): Promise<ToolGrammars> {
    const bindings = (llama as unknown as { _bindings?: Record<string, unknown> })._bindings;
    const AddonGrammar = bindings?.AddonGrammar;
    const paramsGrammar = await loadParamsGrammarClass();
    const hooked = typeof AddonGrammar === 'function' && paramsGrammar !== undefined;
    const tools = new ToolGrammars(hooked);
    if (typeof AddonGrammar === 'function') {
      bindings!.AddonGrammar = new Proxy(AddonGrammar, {
        construct: (target, [grammar, ...rest]: unknown[]) => {
          if (typeof grammar !== 'string') return Reflect.construct(target, [grammar, ...rest]);
          try {
            return Reflect.construct(target, [tools.rewrite(grammar), ...rest]);
          } catch (error) {
            // A grammar of ours llama.cpp refuses must not fail the request: any JSON object for that tool.
            if (!tools.isOurs(grammar)) throw error;
            return Reflect.construct(target, [jsonSchemaToGbnf({ type: 'object' }, { suffix: STOP }), ...rest]);
          }
        },
      });
    }
    if (hooked) {
      const original = paramsGrammar!.prototype.parseParams;
      paramsGrammar!.prototype.parseParams = function (this: ParamsGrammar, text: string) {
        if (!tools.placeholders.has(this._paramsSchema as object)) return original.call(this, text);
        const raw = text.replace(/\n{4}[\s\S]*$/, '').trimEnd();
        return { params: JSON.parse(raw) as unknown, raw };
      };
    }
    return tools;
  }

  /**
   * The `params` to hand node-llama-cpp for a tool, registered until `release` is called: a placeholder whose
   * compiled grammar becomes ours, or (internals changed) any JSON object.
   */
  paramsFor(schema: Record<string, unknown>): { params: object; release: () => void } {
    if (!this.hooked) return { params: OPEN_OBJECT, release: () => undefined };
    const id = `${MARKER}${(this.next++).toString(36)}`;
    this.grammars.set(id, jsonSchemaToGbnf(schema, { suffix: STOP }));
    const params = { type: 'object', properties: { [id]: { type: 'null' } } };
    this.placeholders.add(params);
    return { params, release: () => this.grammars.delete(id) };
  }

  private rewrite(grammar: string): string {
    return boundNumberRules(this.ours(grammar) ?? grammar);
  }

  isOurs(grammar: string): boolean {
    return this.ours(grammar) !== undefined;
  }

  private ours(grammar: string): string | undefined {
    const id = new RegExp(`${MARKER}[0-9a-z]+`).exec(grammar)?.[0];
    return id ? this.grammars.get(id) : undefined;
  }
}

async function loadParamsGrammarClass(): Promise<{ prototype: ParamsGrammar } | undefined> {
  try {
    const index = import.meta.resolve('node-llama-cpp');
    const module = (await import(new URL('./evaluator/LlamaChat/utils/FunctionCallParamsGrammar.js', index).href)) as { FunctionCallParamsGrammar?: { prototype: ParamsGrammar } };
    const cls = module.FunctionCallParamsGrammar;
    return typeof cls?.prototype?.parseParams === 'function' ? cls : undefined;
  } catch {
    return undefined;
  }
}
