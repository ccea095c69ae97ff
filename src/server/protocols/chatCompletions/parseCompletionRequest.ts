/**
 * Validates and normalizes a legacy /v1/completions body: one text prompt, one choice. Pure; same rules and
 * leniencies as parseChatRequest (null = absent, unknown keys ignored, model matched case-insensitively).
 */
import { invalidRequest } from '../../apiError.js';
import type { SamplingOptions } from '../../engine/engineRequest.js';
import { isBoolean, isInteger, isString, optional, parseModel, requireObject, wrongType } from '../parseFields.js';
import { parseN, parseSampling, type ParseContext, type StreamOptions } from './parseChatRequest.js';

export type CompletionRequest = SamplingOptions & StreamOptions & { prompt: string };

export function parseCompletionRequest(body: unknown, ctx: ParseContext): CompletionRequest {
  const b = requireObject(body);
  const model = parseModel(b, ctx.servedModel);
  const prompt = parsePrompt(b.prompt);
  parseN(b, 'n');
  parseN(b, 'best_of');
  if (optional(b, 'echo', 'a boolean', isBoolean)) throw invalidRequest("'echo' is not supported by this server.", 'echo');
  const logprobs = optional(b, 'logprobs', 'an integer', (v): v is number | boolean => isInteger(v) || isBoolean(v));
  if (logprobs === true || (typeof logprobs === 'number' && logprobs > 0)) throw invalidRequest("'logprobs' is not supported by this server.", 'logprobs');
  if (optional(b, 'suffix', 'a string', isString)) {
    throw invalidRequest("'suffix' (fill-in-the-middle) is not supported by this model; send the whole prompt.", 'suffix');
  }
  optional(b, 'user', 'a string', isString);
  return { model, prompt, ...parseSampling(b, ctx, ['max_tokens']) };
}

/** A string, or an array of exactly one string. Token-id prompts and batches are refused. */
function parsePrompt(v: unknown): string {
  if (v == null) throw invalidRequest("Missing required parameter: 'prompt'.", 'prompt');
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) throw wrongType('prompt', 'a string or an array of one string', v);
  if (v.some((x) => typeof x === 'number' || Array.isArray(x))) {
    throw invalidRequest("Token-id prompts are not supported; send 'prompt' as a string.", 'prompt');
  }
  if (v.length !== 1) {
    throw invalidRequest(`Invalid value for 'prompt': expected one prompt, but got ${v.length}; send one prompt per request.`, 'prompt');
  }
  if (typeof v[0] !== 'string') throw wrongType('prompt[0]', 'a string', v[0]);
  return v[0];
}
