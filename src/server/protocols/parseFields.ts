/**
 * Field checks shared by the protocol parsers. A known field with the wrong type is a 400 naming it; `null` counts
 * as absent for optional fields; unknown fields are ignored (clients send extras). Pure.
 */
import { ApiError, invalidRequest, modelNotFound } from '../apiError.js';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isInteger = (v: unknown): v is number => Number.isInteger(v);
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function requireObject(body: unknown): Json {
  if (!isObject(body)) throw invalidRequest('the request body must be a JSON object', null);
  return body;
}

/** `b[key]`, undefined when absent or null; 400 if present with the wrong type. */
export function optional<T>(b: Json, key: string, expected: string, is: (v: unknown) => v is T, prefix = ''): T | undefined {
  const v = b[key];
  if (v == null) return undefined;
  if (!is(v)) throw wrongType(prefix + key, expected, v);
  return v;
}

export function requiredString(o: Json, key: string, at: string): string {
  const param = at ? `${at}.${key}` : key;
  if (o[key] == null) throw invalidRequest(`Missing required parameter: '${param}'.`, param);
  return optional(o, key, 'a string', isString, at ? `${at}.` : '')!;
}

export function wrongType(param: string, expected: string, v: unknown): ApiError {
  return invalidRequest(`Invalid type for '${param}': expected ${expected}, but got ${describe(v)} instead.`, param);
}

/** A number in [min, max] (or (min, max] with minExclusive). */
export function range(b: Json, key: string, min: number, max: number, minExclusive = false): number | undefined {
  const v = optional(b, key, 'a number', isNumber);
  if (v !== undefined && (v < min || v > max || (minExclusive && v === min))) {
    throw invalidRequest(`Invalid value for '${key}': expected a number ${minExclusive ? '>' : '>='} ${min} and <= ${max}, but got ${v}.`, key);
  }
  return v;
}

/** A positive integer count of tokens, or undefined. */
export function tokenCount(b: Json, key: string): number | undefined {
  const v = optional(b, key, 'an integer', isInteger);
  if (v !== undefined && v < 1) throw invalidRequest(`Invalid value for '${key}': expected an integer >= 1, but got ${v}.`, key);
  return v;
}

/** Stop sequences: a string or an array of at most `max` non-empty strings. */
export function parseStop(v: unknown, key: string, max: number): string[] {
  if (v == null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list)) throw wrongType(key, 'a string or an array of strings', v);
  if (list.length > max) throw invalidRequest(`Invalid value for '${key}': at most ${max} stop sequences are allowed, but got ${list.length}.`, key);
  list.forEach((s, i) => {
    const param = typeof v === 'string' ? key : `${key}[${i}]`;
    if (typeof s !== 'string') throw wrongType(param, 'a string', s);
    if (s === '') throw invalidRequest(`Invalid value for '${param}': stop sequences must not be empty.`, param);
  });
  return list as string[];
}

/** The served model name (exact or case-insensitive match), else 404 model_not_found. */
export function parseModel(b: Json, servedModel: string): string {
  const m = b.model;
  if (m == null) throw invalidRequest('you must provide a model parameter', 'model');
  if (typeof m !== 'string') throw wrongType('model', 'a string', m);
  if (m === servedModel || m.toLowerCase() === servedModel.toLowerCase()) return servedModel;
  throw modelNotFound(m, servedModel);
}

/** Drops keys whose value is undefined, so optional fields are absent rather than undefined. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
