/**
 * node-llama-cpp's JSON grammars let an `integer` carry an exponent, and any number an exponent of 16 digits: a
 * model may write "n": 72E75557 (seen on a random-weight model), which is no integer (JSON.parse gives Infinity);
 * node-llama-cpp's own check of tool-call arguments then throws. So every grammar is rewritten as it is compiled:
 * integers without an exponent, exponents of at most two digits. Relies on node-llama-cpp's rule names and its
 * `_bindings.AddonGrammar`; when either differs, grammars are left as they are.
 */
import type { Llama } from 'node-llama-cpp';

const EXPONENT = ' ([eE] [-+]? ("0" | [1-9] [0-9]{0,15}))?';

/** The grammar text with bounded number rules (pure). */
export function boundNumberRules(grammar: string): string {
  return grammar
    .split('\n')
    .map((line) => {
      if (line.startsWith('integer-number-rule ::= ')) return line.replace(EXPONENT, '');
      if (line.startsWith('fractional-number-rule ::= ')) return line.replace(EXPONENT, ' ([eE] [-+]? [0-9]{1,2})?');
      return line;
    })
    .join('\n');
}

/** Rewrites every grammar this Llama compiles from now on; false when node-llama-cpp's internals differ. */
export function boundJsonNumbers(llama: Llama): boolean {
  const bindings = (llama as unknown as { _bindings?: Record<string, unknown> })._bindings;
  const AddonGrammar = bindings?.AddonGrammar;
  if (typeof AddonGrammar !== 'function') return false;
  bindings!.AddonGrammar = new Proxy(AddonGrammar, {
    construct: (target, [grammar, ...rest]: unknown[]) => Reflect.construct(target, [typeof grammar === 'string' ? boundNumberRules(grammar) : grammar, ...rest]),
  });
  return true;
}
