/**
 * A JSON Schema `pattern` (ECMA-262 regular expression) -> GBNF for the content of a JSON string (between the
 * quotes, JSON-escaped). The usual subset: literals, escapes (\d \w \s and their negations), classes, `.`, groups,
 * alternation, the quantifiers ? * + {m} {m,} {m,n}. A pattern matches anywhere unless anchored, so an unanchored
 * side accepts any characters. Anything else (lookarounds, backreferences, \b) gives undefined: the caller loosens
 * to any string. Characters that JSON must escape are written escaped. Pure.
 */

type Node =
  | { kind: 'set'; negated: boolean; items: string[] } // GBNF class items: "a", "a-z", "\\x2F"
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number | undefined };

const MAX_REPEAT = 64;
/** Any character allowed unescaped inside a JSON string. */
const JSON_CHAR = '[^"\\\\\\x7F\\x00-\\x1F]';

export function regexToGbnf(pattern: string): string | undefined {
  try {
    const parser = new Parser(pattern);
    const anchoredStart = parser.eat('^');
    const node = parser.alternation();
    const anchoredEnd = parser.eat('$');
    if (!parser.done()) return undefined;
    const body = emit(node);
    return [anchoredStart ? '' : `${JSON_CHAR}*`, body, anchoredEnd ? '' : `${JSON_CHAR}*`].filter(Boolean).join(' ') || '""';
  } catch {
    return undefined;
  }
}

class Parser {
  private at = 0;

  constructor(private readonly src: string) {}

  done(): boolean {
    return this.at >= this.src.length;
  }

  eat(ch: string): boolean {
    if (this.src[this.at] !== ch) return false;
    this.at++;
    return true;
  }

  alternation(): Node {
    const options = [this.sequence()];
    while (this.eat('|')) options.push(this.sequence());
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (!this.done() && this.src[this.at] !== '|' && this.src[this.at] !== ')') {
      if (this.src[this.at] === '$' && this.at === this.src.length - 1) break;
      items.push(this.quantified(this.atom()));
    }
    return { kind: 'seq', items };
  }

  private quantified(node: Node): Node {
    let min: number;
    let max: number | undefined;
    const c = this.src[this.at];
    if (c === '?') [min, max] = [0, 1];
    else if (c === '*') [min, max] = [0, undefined];
    else if (c === '+') [min, max] = [1, undefined];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.at));
      if (!m) throw new Error('brace');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
      this.at += m[0].length - 1;
    } else return node;
    this.at++;
    this.eat('?'); // lazy: the same language
    if (min > MAX_REPEAT || (max !== undefined && max > MAX_REPEAT)) max = undefined;
    return { kind: 'repeat', node, min: Math.min(min, MAX_REPEAT), max };
  }

  private atom(): Node {
    const c = this.src[this.at++]!;
    switch (c) {
      case '(': {
        if (this.src[this.at] === '?') {
          if (this.src.slice(this.at, this.at + 2) !== '?:') throw new Error('lookaround or named group');
          this.at += 2;
        }
        const inner = this.alternation();
        if (!this.eat(')')) throw new Error('unclosed group');
        return inner;
      }
      case '[':
        return this.charClass();
      case '.':
        return { kind: 'set', negated: true, items: ['\\n', '\\r'] };
      case '\\':
        return this.escape(false);
      case '^':
      case '$':
      case ')':
      case '*':
      case '+':
      case '?':
      case '{':
        throw new Error(`unexpected ${c}`);
      default:
        return { kind: 'set', negated: false, items: [classChar(c)] };
    }
  }

  /** After a backslash: a class (\d, \w, \s and negations) or one escaped character. */
  private escape(inClass: boolean): Node {
    const c = this.src[this.at++];
    if (c === undefined) throw new Error('trailing backslash');
    const classes: Record<string, string[]> = { d: ['0-9'], w: ['a-z', 'A-Z', '0-9', '_'], s: [' ', '\\t', '\\n', '\\r', '\\x0B', '\\x0C'] };
    if (classes[c]) return { kind: 'set', negated: false, items: classes[c]! };
    const upper = c.toLowerCase();
    if (c !== upper && classes[upper]) {
      if (inClass) throw new Error('negated class inside a class');
      return { kind: 'set', negated: true, items: classes[upper]! };
    }
    const controls: Record<string, string> = { n: '\\n', r: '\\r', t: '\\t', f: '\\x0C', v: '\\x0B', '0': '\\x00' };
    if (controls[c]) return { kind: 'set', negated: false, items: [controls[c]!] };
    if (c === 'u' || c === 'x') {
      const m = (c === 'u' ? /^[0-9a-fA-F]{4}/ : /^[0-9a-fA-F]{2}/).exec(this.src.slice(this.at));
      if (!m) throw new Error('bad hex escape');
      this.at += m[0].length;
      return { kind: 'set', negated: false, items: [classChar(String.fromCharCode(parseInt(m[0], 16)))] };
    }
    if (/[a-zA-Z0-9]/.test(c)) throw new Error(`unsupported escape \\${c}`); // \b, \B, backreferences, \p{...}
    return { kind: 'set', negated: false, items: [classChar(c)] };
  }

  private charClass(): Node {
    const negated = this.eat('^');
    const items: string[] = [];
    let first = true;
    while (!this.done() && (this.src[this.at] !== ']' || first)) {
      first = false;
      let item: string;
      if (this.src[this.at] === '\\') {
        this.at++;
        const node = this.escape(true);
        if (node.kind !== 'set' || node.negated) throw new Error('class escape');
        if (node.items.length > 1) {
          items.push(...node.items);
          continue;
        }
        item = node.items[0]!;
      } else item = classChar(this.src[this.at++]!);
      if (this.src[this.at] === '-' && this.src[this.at + 1] !== ']' && this.src[this.at + 1] !== undefined) {
        this.at++;
        const end = this.src[this.at] === '\\' ? (this.at++, this.escape(true)) : { kind: 'set' as const, negated: false, items: [classChar(this.src[this.at++]!)] };
        if (end.kind !== 'set' || end.items.length !== 1) throw new Error('class range');
        item = `${item}-${end.items[0]}`;
      }
      items.push(item);
    }
    if (!this.eat(']')) throw new Error('unclosed class');
    return { kind: 'set', negated, items };
  }
}

/** One character as a GBNF class item (escaped where GBNF or JSON needs it). */
function classChar(c: string): string {
  const code = c.codePointAt(0)!;
  if (c === ']' || c === '[' || c === '\\' || c === '^' || c === '-' || c === '"' || code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  return c;
}

function emit(node: Node): string {
  switch (node.kind) {
    case 'seq':
      return node.items.length === 0 ? '""' : node.items.map(emit).join(' ');
    case 'alt':
      return `( ${node.options.map(emit).join(' | ')} )`;
    case 'repeat': {
      const inner = node.node.kind === 'set' ? emit(node.node) : `( ${emit(node.node)} )`;
      if (node.min === 0 && node.max === 1) return `${inner}?`;
      if (node.min === 0 && node.max === undefined) return `${inner}*`;
      if (node.min === 1 && node.max === undefined) return `${inner}+`;
      return `${inner}{${node.min},${node.max ?? ''}}`;
    }
    case 'set':
      return emitSet(node);
  }
}

/**
 * A character set as JSON string content: characters JSON escapes (", \, controls) are matched in their escaped
 * form, a negated set never matches a raw quote, backslash or control character.
 */
function emitSet(node: Extract<Node, { kind: 'set' }>): string {
  if (node.negated) return `[^${node.items.join('')}"\\\\\\x7F\\x00-\\x1F]`;
  const plain: string[] = [];
  const escaped: string[] = [];
  for (const item of node.items) {
    const single = /^\\x([0-9a-f]{2})$/.exec(item);
    const code = single ? parseInt(single[1]!, 16) : undefined;
    if (code === 0x22) escaped.push('"\\\\\\""');
    else if (code === 0x5c) escaped.push('"\\\\\\\\"');
    else if (code !== undefined && code < 0x20) escaped.push(`"\\\\u00${code.toString(16).padStart(2, '0')}"`);
    else if (item === '\\n' || item === '\\r' || item === '\\t') escaped.push(`"\\\\${item[1]}"`);
    else if (item === '\\x0B' || item === '\\x0C') escaped.push(`"\\\\u00${item.slice(2).toLowerCase()}"`);
    else plain.push(item);
  }
  const options = [...(plain.length ? [`[${plain.join('')}]`] : []), ...escaped];
  return options.length === 1 ? options[0]! : `( ${options.join(' | ')} )`;
}
