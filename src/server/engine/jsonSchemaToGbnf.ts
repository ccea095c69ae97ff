/**
 * JSON Schema (draft 7 to 2020-12, as agents send it) -> a llama.cpp GBNF grammar for one JSON value. Pure, and it
 * never throws. Types, enum/const, anyOf/oneOf, allOf of objects, $ref, required and optional properties,
 * additionalProperties and propertyNames, string lengths, formats (date, time, date-time, uuid) and patterns, integer
 * ranges, decimal ranges with integer bounds and array lengths become grammar; what cannot (lookaround patterns,
 * multipleOf, not, if/then, uniqueItems, bounds that are not integers) is loosened to a rule that still accepts
 * every value the keyword allows.
 *
 * Unlike node-llama-cpp's own converter, optional properties may be left out (agents' tools have many), properties
 * come in their declared order, and `$ref` into `$defs`/`definitions` (recursive too) works. Extra properties are
 * generated only where `additionalProperties` explicitly allows them: the model gains nothing from inventing keys.
 * Whitespace is at most one space and never a newline, so a caller may end the grammar with newlines of its own.
 */

import { decimalRange, integerRange } from './numberRanges.js';
import { regexToGbnf } from './regexToGbnf.js';

export type JsonSchema = boolean | { [key: string]: unknown };

const MAX_BOUNDED_REPEAT = 64; // larger {m,n} counts are loosened: llama.cpp expands each repetition into rules
const MAX_DEPTH = 64;

const PRIMITIVES: Record<string, string> = {
  space: '" "?',
  value: 'object | array | string | number | boolean | null',
  object: '"{" space ( string ":" space value ( "," space string ":" space value )* )? "}" space',
  array: '"[" space ( value ( "," space value )* )? "]" space',
  char: '[^"\\\\\\x7F\\x00-\\x1F] | [\\\\] ( ["\\\\/bfnrt] | "u" [0-9a-fA-F]{4} )',
  string: '"\\"" char* "\\"" space',
  integer: '"-"? ( "0" | [1-9] [0-9]{0,15} ) space',
  number: '"-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,2} )? space',
  boolean: '( "true" | "false" ) space',
  null: '"null" space',
  'date': '"\\"" [0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [1-2] [0-9] | "3" [0-1] ) "\\"" space',
  'time': '"\\"" ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{1,9} )? ( "Z" | [+-] ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ) "\\"" space',
  'date-time': '"\\"" [0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [1-2] [0-9] | "3" [0-1] ) [Tt ] ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{1,9} )? ( [Zz] | [+-] ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ) "\\"" space',
  uuid: '"\\"" [0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12} "\\"" space',
};
// What each primitive rule refers to, so only the needed ones are written.
const PRIMITIVE_DEPS: Record<string, string[]> = {
  value: ['object', 'array', 'string', 'number', 'boolean', 'null'],
  object: ['space', 'string', 'value'],
  array: ['space', 'value'],
  string: ['char', 'space'],
  integer: ['space'], number: ['space'], boolean: ['space'], null: ['space'],
  date: ['space'], time: ['space'], 'date-time': ['space'], uuid: ['space'],
};
const FORMATS = new Set(['date', 'time', 'date-time', 'uuid']);

/** The grammar for `schema`; `root` is `value-rule suffix`, e.g. a suffix of `"\n\n\n\n"`. */
export function jsonSchemaToGbnf(schema: unknown, options: { suffix?: string } = {}): string {
  const compiler = new Compiler(isSchema(schema) ? schema : true);
  let top: string;
  try {
    top = compiler.visit(compiler.rootSchema, 'root-value', 0);
  } catch {
    top = compiler.primitive('value'); // a schema too strange to follow: any JSON value
  }
  return compiler.write(`${top}${options.suffix ? ` ${options.suffix}` : ''}`);
}

/** A GBNF string literal that matches `text` exactly. */
export function gbnfLiteral(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const isSchema = (v: unknown): v is JsonSchema => typeof v === 'boolean' || (typeof v === 'object' && v !== null && !Array.isArray(v));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

class Compiler {
  private readonly rules = new Map<string, string>();
  private readonly refRules = new Map<string, string>();
  private readonly usedPrimitives = new Set<string>();

  constructor(readonly rootSchema: JsonSchema) {}

  primitive(name: string): string {
    if (!this.usedPrimitives.has(name)) {
      this.usedPrimitives.add(name);
      for (const dep of PRIMITIVE_DEPS[name] ?? []) this.primitive(dep);
    }
    return name;
  }

  write(root: string): string {
    const lines = [`root ::= ${root}`];
    for (const [name, body] of this.rules) lines.push(`${name} ::= ${body}`);
    for (const name of Object.keys(PRIMITIVES)) if (this.usedPrimitives.has(name)) lines.push(`${name} ::= ${PRIMITIVES[name]}`);
    return `${lines.join('\n')}\n`;
  }

  /** A fresh rule name from `hint` (GBNF names: letters, digits and '-'). */
  private add(hint: string, body: string): string {
    const base = hint.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).toLowerCase() || 'r';
    let name = base;
    for (let i = 1; this.rules.has(name) || name in PRIMITIVES || name === 'root'; i++) name = `${base}-${i}`;
    this.rules.set(name, body);
    return name;
  }

  /** The expression (a rule name or an inline alternative) for one schema. */
  visit(schema: JsonSchema, hint: string, depth: number): string {
    if (depth > MAX_DEPTH || typeof schema === 'boolean') return this.primitive('value');
    const s = schema;
    if (typeof s.$ref === 'string') return this.ref(s.$ref, depth);
    const alternatives = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined)?.filter(isSchema);
    if (alternatives?.length) {
      const { anyOf: _a, oneOf: _o, ...rest } = s;
      // Sibling keywords (a shared type, properties) apply to every branch.
      const branches = alternatives.map((b, i) => this.visit(merge(rest, b), `${hint}-${i}`, depth + 1));
      return this.add(hint, this.withNull(s, unique(branches).join(' | ')));
    }
    if (Array.isArray(s.allOf)) {
      const { allOf, ...rest } = s;
      const merged = (allOf as unknown[]).filter(isSchema).reduce<JsonSchema | undefined>((acc, b) => (acc === undefined ? undefined : intersect(acc, this.deref(b))), rest);
      return merged === undefined ? this.primitive('value') : this.visit(merged, hint, depth + 1);
    }
    if ('const' in s) return this.add(hint, this.withNull(s, this.literal(s.const)));
    if (Array.isArray(s.enum)) {
      if (s.enum.length === 0) return this.primitive('value');
      return this.add(hint, this.withNull(s, unique(s.enum.map((v) => this.literal(v))).join(' | ')));
    }
    const types = typesOf(s);
    if (!types) return this.primitive('value');
    const exprs = types.map((t) => this.typed(t, s, hint, depth));
    if (exprs.length === 1 && s.nullable !== true) return exprs[0]!;
    return this.add(hint, this.withNull(s, unique(exprs).join(' | ')));
  }

  /** OpenAPI's `nullable: true` adds null to whatever else is allowed. */
  private withNull(s: Record<string, unknown>, body: string): string {
    return s.nullable === true ? `${body} | ${this.primitive('null')}` : body;
  }

  private typed(type: string, s: Record<string, unknown>, hint: string, depth: number): string {
    switch (type) {
      case 'object':
        return this.object(s, hint, depth);
      case 'array':
        return this.array(s, hint, depth);
      case 'string':
        return this.string(s, hint);
      case 'integer':
      case 'number':
        return this.number(type, s, hint);
      case 'boolean':
      case 'null':
        return this.primitive(type);
      default:
        return this.primitive('value');
    }
  }

  /** Bounds as grammar (multipleOf is loosened). */
  private number(type: 'integer' | 'number', s: Record<string, unknown>, hint: string): string {
    const bounds = boundsOf(s);
    if (!bounds) return this.primitive(type);
    const space = this.primitive('space');
    if (type === 'integer') {
      const min = bounds.min === undefined ? undefined : bounds.exclusiveMin ? Math.floor(bounds.min) + 1 : Math.ceil(bounds.min);
      const max = bounds.max === undefined ? undefined : bounds.exclusiveMax ? Math.ceil(bounds.max) - 1 : Math.floor(bounds.max);
      const body = integerRange(min, max);
      return body ? this.add(`${hint}-int`, `( ${body} ) ${space}`) : this.primitive('integer');
    }
    // Decimals: bounds widened to the integers around them where they are not integers.
    const min = bounds.min === undefined ? undefined : Math.floor(bounds.min);
    const max = bounds.max === undefined ? undefined : Math.ceil(bounds.max);
    const body = min === undefined ? undefined : decimalRange(min, max, bounds.exclusiveMin && min === bounds.min, bounds.exclusiveMax && max === bounds.max);
    return body ? this.add(`${hint}-num`, `( ${body} ) ${space}`) : this.primitive('number');
  }

  private string(s: Record<string, unknown>, hint: string): string {
    if (typeof s.pattern === 'string') {
      const body = regexToGbnf(s.pattern);
      return body ? this.add(`${hint}-pattern`, `"\\"" ${body} "\\"" ${this.primitive('space')}`) : this.primitive('string');
    }
    if (typeof s.format === 'string' && FORMATS.has(s.format)) return this.primitive(s.format);
    const min = count(s.minLength) ?? 0;
    const max = count(s.maxLength);
    if ((min === 0 && max === undefined) || min > MAX_BOUNDED_REPEAT) return this.primitive('string');
    this.primitive('char');
    const repeat = max !== undefined && max <= MAX_BOUNDED_REPEAT && max >= min ? `{${min},${max}}` : `{${min},}`;
    return this.add(`${hint}-string`, `"\\"" char${repeat} "\\"" ${this.primitive('space')}`);
  }

  private array(s: Record<string, unknown>, hint: string, depth: number): string {
    const space = this.primitive('space');
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems.filter(isSchema) : Array.isArray(s.items) ? s.items.filter(isSchema) : [];
    const rest: JsonSchema = isSchema(s.items) && !Array.isArray(s.items) ? s.items : Array.isArray(s.items) ? (isSchema(s.additionalItems) ? s.additionalItems : true) : true;
    const item = this.visit(rest, `${hint}-item`, depth + 1);
    const min = count(s.minItems) ?? 0;
    const max = count(s.maxItems);
    if (prefix.length) {
      // Tuples: the listed items in order (each may end the array once minItems are there), then any more of `rest`.
      const parts = prefix.map((p, i) => this.visit(p, `${hint}-${i}`, depth + 1));
      let tail = max !== undefined && max <= prefix.length ? '' : ` ( "," ${space} ${item} )*`;
      for (let i = parts.length - 1; i >= 1; i--) tail = i >= min ? ` ( "," ${space} ${parts[i]}${tail} )?` : ` "," ${space} ${parts[i]}${tail}`;
      const body = `${parts[0]}${tail}`;
      return this.add(hint, `"[" ${space} ${min === 0 ? `( ${body} )?` : body} "]" ${space}`);
    }
    if (min === 0 && max === undefined) {
      return this.add(hint, `"[" ${space} ( ${item} ( "," ${space} ${item} )* )? "]" ${space}`);
    }
    if (min > MAX_BOUNDED_REPEAT) return this.add(hint, `"[" ${space} ( ${item} ( "," ${space} ${item} )* )? "]" ${space}`);
    const more = max === undefined || max > MAX_BOUNDED_REPEAT ? `{${Math.max(min - 1, 0)},}` : `{${Math.max(min - 1, 0)},${Math.max(max - 1, 0)}}`;
    const items = max === 0 ? '' : `${item} ( "," ${space} ${item} )${more}`;
    return this.add(hint, `"[" ${space} ${min === 0 && items ? `( ${items} )?` : items} "]" ${space}`);
  }

  /**
   * Properties in declared order, each optional one skippable, commas only between the ones present:
   * start(i) is where nothing was written yet, next(i) after something was (so it begins with a comma).
   */
  private object(s: Record<string, unknown>, hint: string, depth: number): string {
    const space = this.primitive('space');
    const props = isObject(s.properties) ? Object.entries(s.properties).filter((e): e is [string, JsonSchema] => isSchema(e[1])) : [];
    const required = new Set(Array.isArray(s.required) ? s.required.filter((k): k is string => typeof k === 'string') : []);
    for (const key of required) if (!props.some(([k]) => k === key)) props.push([key, true]);
    const extra = s.additionalProperties === true || isObject(s.additionalProperties) ? (s.additionalProperties as JsonSchema) : undefined;
    if (props.length === 0 && extra === undefined) {
      // No properties named: an open object (JSON Schema's default), unless closed explicitly.
      return s.additionalProperties === false ? this.add(hint, `"{" ${space} "}" ${space}`) : this.primitive('object');
    }
    const kvs = props.map(([key, sub]) => `${this.literal(key)} ":" ${space} ${this.visit(sub, `${hint}-${key}`, depth + 1)}`);
    let extraKv: string | undefined;
    if (extra !== undefined) {
      // Keys of extra properties follow propertyNames (a string schema: pattern, enum, lengths) where given.
      const key = isSchema(s.propertyNames) && s.propertyNames !== true ? this.visit({ type: 'string', ...(s.propertyNames as object) }, `${hint}-key`, depth + 1) : this.primitive('string');
      extraKv = this.add(`${hint}-extra-kv`, `${key} ":" ${space} ${this.visit(extra, `${hint}-extra`, depth + 1)}`);
    }
    // min/maxProperties bound the extra properties when no named ones come first (else loosened).
    const minExtra = props.length === 0 ? count(s.minProperties) ?? 0 : 0;
    const maxExtra = props.length === 0 ? count(s.maxProperties) : undefined;
    if (extraKv && props.length === 0 && (minExtra > 0 || maxExtra !== undefined) && minExtra <= MAX_BOUNDED_REPEAT && (maxExtra ?? 0) <= MAX_BOUNDED_REPEAT) {
      if (maxExtra === 0) return this.add(hint, `"{" ${space} "}" ${space}`);
      const more = `( "," ${space} ${extraKv} ){${Math.max(minExtra - 1, 0)},${maxExtra === undefined ? '' : maxExtra - 1}}`;
      return this.add(hint, `"{" ${space} ${minExtra === 0 ? `( ${extraKv} ${more} )?` : `${extraKv} ${more}`} "}" ${space}`);
    }
    const extras = extraKv ? `( "," ${space} ${extraKv} )*` : '';
    const last = props.length;
    const next: string[] = [];
    const start: string[] = [];
    next[last] = extras;
    start[last] = extraKv ? `( ${extraKv} ${extras} )?` : '';
    for (let i = last - 1; i >= 0; i--) {
      const key = props[i]![0];
      const kv = kvs[i]!;
      const nextBody = required.has(key) ? `"," ${space} ${kv} ${next[i + 1]}` : `( "," ${space} ${kv} )? ${next[i + 1]}`;
      next[i] = this.ruleOrEmpty(`${hint}-after-${i}`, nextBody);
      const startBody = required.has(key) ? `${kv} ${next[i + 1]}` : `${kv} ${next[i + 1]} | ${start[i + 1] || '""'}`;
      start[i] = this.ruleOrEmpty(`${hint}-from-${i}`, startBody);
    }
    return this.add(hint, `"{" ${space} ${start[0]} "}" ${space}`);
  }

  /** A JSON value exactly as given. */
  private literal(value: unknown): string {
    return `${gbnfLiteral(JSON.stringify(value) ?? 'null')} ${this.primitive('space')}`;
  }

  private ruleOrEmpty(hint: string, body: string): string {
    const trimmed = body.replace(/\s+/g, ' ').trim();
    return trimmed ? this.add(hint, trimmed) : '';
  }

  /** `#/$defs/X`, `#/definitions/X`, `#` (the root) or any `#/...` pointer; other refs are loosened to any value. */
  private ref(ref: string, depth: number): string {
    const known = this.refRules.get(ref);
    if (known) return known;
    const target = resolvePointer(this.rootSchema, ref);
    if (target === undefined) return this.primitive('value');
    const name = this.add(`ref-${ref.split('/').pop() ?? 'root'}`, 'value'); // placeholder until compiled (refs may recurse)
    this.refRules.set(ref, name);
    this.rules.set(name, this.visit(target, `${name}-body`, depth + 1));
    return name;
  }

  private deref(s: JsonSchema): JsonSchema {
    if (typeof s === 'boolean' || typeof s.$ref !== 'string') return s;
    return resolvePointer(this.rootSchema, s.$ref) ?? true;
  }
}

function resolvePointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return isSchema(node) ? node : undefined;
}

/** The types a schema allows, from `type` or its keywords; undefined = any value. */
function typesOf(s: Record<string, unknown>): string[] | undefined {
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) {
    const list = s.type.filter((t): t is string => typeof t === 'string');
    return list.length ? list : undefined;
  }
  if (isObject(s.properties) || s.additionalProperties !== undefined || Array.isArray(s.required)) return ['object'];
  if (s.items !== undefined || Array.isArray(s.prefixItems)) return ['array'];
  if (s.minLength !== undefined || s.maxLength !== undefined || s.pattern !== undefined || s.format !== undefined) return ['string'];
  return undefined;
}

/** minimum/maximum (draft 4 boolean exclusives too) and exclusiveMinimum/Maximum; undefined when unbounded. */
function boundsOf(s: Record<string, unknown>): { min?: number; max?: number; exclusiveMin: boolean; exclusiveMax: boolean } | undefined {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  let min = num(s.minimum);
  let max = num(s.maximum);
  let exclusiveMin = s.exclusiveMinimum === true;
  let exclusiveMax = s.exclusiveMaximum === true;
  const xMin = num(s.exclusiveMinimum);
  const xMax = num(s.exclusiveMaximum);
  if (xMin !== undefined && (min === undefined || xMin >= min)) [min, exclusiveMin] = [xMin, true];
  if (xMax !== undefined && (max === undefined || xMax <= max)) [max, exclusiveMax] = [xMax, true];
  // Bounds past 2^53 are no bounds a JSON number can tell apart.
  if (min !== undefined && Math.abs(min) > Number.MAX_SAFE_INTEGER) min = undefined;
  if (max !== undefined && Math.abs(max) > Number.MAX_SAFE_INTEGER) max = undefined;
  return min === undefined && max === undefined ? undefined : { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), exclusiveMin, exclusiveMax };
}


function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** A branch of anyOf/oneOf with the parent's sibling keywords (the branch wins where both say something). */
function merge(parent: Record<string, unknown>, branch: JsonSchema): JsonSchema {
  if (typeof branch === 'boolean') return branch;
  const relevant = Object.fromEntries(Object.entries(parent).filter(([k]) => ['type', 'properties', 'required', 'additionalProperties', 'items', 'nullable'].includes(k)));
  return { ...relevant, ...branch };
}

/**
 * allOf: objects merge (properties, required); anything else keeps the first schema that names a type, which
 * accepts every value valid under all of them. undefined when they cannot be combined (then: any value).
 */
function intersect(a: JsonSchema, b: JsonSchema): JsonSchema | undefined {
  if (a === true || (isObject(a) && Object.keys(a).length === 0)) return b;
  if (b === true || (isObject(b) && Object.keys(b).length === 0)) return a;
  if (typeof a === 'boolean' || typeof b === 'boolean') return undefined;
  const objectLike = (s: Record<string, unknown>) => s.type === 'object' || (s.type === undefined && (isObject(s.properties) || Array.isArray(s.required)));
  if (objectLike(a) && objectLike(b)) {
    return {
      ...a,
      ...b,
      type: 'object',
      properties: { ...(isObject(a.properties) ? a.properties : {}), ...(isObject(b.properties) ? b.properties : {}) },
      required: [...new Set([...(Array.isArray(a.required) ? a.required : []), ...(Array.isArray(b.required) ? b.required : [])])],
      ...(a.additionalProperties === false || b.additionalProperties === false ? { additionalProperties: false } : {}),
    };
  }
  if (a.type !== undefined && b.type === undefined) return { ...b, ...a };
  if (b.type !== undefined && a.type === undefined) return { ...a, ...b };
  return a.type === b.type ? { ...a, ...b } : undefined;
}
