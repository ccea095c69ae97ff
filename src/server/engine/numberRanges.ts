/**
 * GBNF for JSON numbers within bounds: integers exactly in [min, max] (digit by digit, as llama.cpp's converter
 * does), and decimals within integer bounds (the integer part, then what the bounds allow of the fraction). Bounds
 * that are not integers are widened to the integers around them, which still accepts every valid value. Pure.
 */

const MAX_DIGITS = 16; // as the unbounded number rules: past 2^53 JSON numbers lose precision anyway

/** The integer literals n with min <= n <= max (either bound may be absent); undefined when none exist. */
export function integerRange(min: number | undefined, max: number | undefined): string | undefined {
  if (min !== undefined && max !== undefined && min > max) return undefined;
  const parts: string[] = [];
  // Negative values: "-" and their magnitude in [max(1, -max), -min].
  if (min === undefined || min < 0) {
    const low = max !== undefined && max < 0 ? -max : 1;
    parts.push(`"-" ( ${naturalRange(low, min === undefined ? undefined : -min)} )`);
  }
  if (max === undefined || max >= 0) parts.push(naturalRange(Math.max(min ?? 0, 0), max));
  return parts.length === 1 ? parts[0] : parts.map((p) => `( ${p} )`).join(' | ');
}

/**
 * Decimal literals within [min, max] for integer bounds with optional exclusivity, non-negative min. undefined when
 * the bounds are outside what this handles (the caller widens or falls back to any number).
 */
export function decimalRange(min: number, max: number | undefined, exclusiveMin: boolean, exclusiveMax: boolean): string | undefined {
  if (min < 0 || !Number.isInteger(min) || (max !== undefined && (!Number.isInteger(max) || max < min))) return undefined;
  const fraction = `( "." [0-9]{1,${MAX_DIGITS}} )?`;
  const zeros = `( "." "0"{1,${MAX_DIGITS}} )?`;
  const nonZero = `"." "0"{0,${MAX_DIGITS - 1}} [1-9] [0-9]{0,${MAX_DIGITS - 1}}`;
  if (max === min) return exclusiveMin || exclusiveMax ? undefined : `${literal(min)} ${zeros}`;
  const parts = [`${literal(min)} ${exclusiveMin ? nonZero : fraction}`];
  const inner = max === undefined ? naturalRange(min + 1, undefined) : max - 1 >= min + 1 ? naturalRange(min + 1, max - 1) : undefined;
  if (inner) parts.push(`( ${inner} ) ${fraction}`);
  if (max !== undefined && !exclusiveMax) parts.push(`${literal(max)} ${zeros}`);
  return parts.map((p) => `( ${p} )`).join(' | ');
}

const literal = (n: number) => `"${digits(n)}"`;

/** Decimal digits of a non-negative integer without exponent notation. */
function digits(n: number): string {
  return BigInt(n).toString();
}

/** Naturals in [low, high] (high absent: any larger), without leading zeros. */
function naturalRange(low: number, high: number | undefined): string {
  const lo = digits(low);
  const alternatives: string[] = [];
  const top = high === undefined ? undefined : digits(high);
  const lastLength = top?.length ?? lo.length;
  for (let length = lo.length; length <= lastLength; length++) {
    const from = length === lo.length ? lo : `1${'0'.repeat(length - 1)}`;
    const to = top !== undefined && length === top.length ? top : '9'.repeat(length);
    if (from.length === to.length && from <= to) alternatives.push(sameLength(from, to));
  }
  // Open above: every number with more digits than the lower bound.
  if (top === undefined && lo.length < MAX_DIGITS) alternatives.push(`[1-9] [0-9]{${lo.length},${MAX_DIGITS - 1}}`);
  return alternatives.map((a) => `( ${a} )`).join(' | ');
}

/** Digit strings of equal length from `a` to `b` (a <= b). */
function sameLength(a: string, b: string): string {
  if (a === b) return `"${a}"`;
  let i = 0;
  while (a[i] === b[i]) i++;
  const prefix = a.slice(0, i) ? `"${a.slice(0, i)}" ` : '';
  const rest = a.length - i - 1;
  const da = Number(a[i]);
  const db = Number(b[i]);
  if (rest === 0) return `${prefix}[${da}-${db}]`;
  const any = `[0-9]{${rest}}`;
  const lowTail = a.slice(i + 1);
  const highTail = b.slice(i + 1);
  const options: string[] = [];
  // a[i] then at least a's tail; the digits between then anything; b[i] then at most b's tail.
  options.push(/^0+$/.test(lowTail) ? `"${da}" ${any}` : `"${da}" ( ${sameLength(lowTail, '9'.repeat(rest))} )`);
  if (db - da > 1) options.push(`[${da + 1}-${db - 1}] ${any}`);
  options.push(/^9+$/.test(highTail) ? `"${db}" ${any}` : `"${db}" ( ${sameLength('0'.repeat(rest), highTail)} )`);
  return `${prefix}( ${options.join(' | ')} )`;
}
