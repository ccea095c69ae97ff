/**
 * node-llama-cpp's JSON grammars let an `integer` carry an exponent, and any number an exponent of 16 digits: a
 * model may write "n": 72E75557 (seen on a random-weight model), which is no integer (JSON.parse gives Infinity);
 * node-llama-cpp's own check of tool-call arguments then throws. So every grammar is rewritten as it is compiled:
 * integers without an exponent, exponents of at most two digits. Relies on node-llama-cpp's rule names and its
 * `_bindings.AddonGrammar` (hooked in toolGrammars.ts); when either differs, grammars are left as they are.
 */

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
