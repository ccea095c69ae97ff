/**
 * The server's one error: an HTTP status, a message and OpenAI's type/param/code. Each protocol renders it in its
 * own shape (OpenAI's `{ error: { message, type, param, code } }`, Anthropic's `{ type: "error", error: {...} }`),
 * which the official clients turn into typed exceptions. Pure.
 */

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  /** The request field at fault, e.g. `messages[2].content`; null when no one field is. */
  readonly param: string | null;
  readonly code: string | null;
  /** Response headers the error needs (405: Allow). */
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = options.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.headers = options.headers ?? {};
  }
}

export function toOpenAiErrorBody(e: ApiError): OpenAiErrorBody {
  return { error: { message: e.message, type: e.type, param: e.param, code: e.code } };
}

/** 400: the request is malformed or asks for something unsupported. */
export function invalidRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
  return new ApiError(400, message, { type: 'invalid_request_error', param, code });
}

/** 404; OpenAI answers an unknown model this way (type invalid_request_error, code model_not_found). */
export function notFound(message: string, param: string | null = null, code: string | null = 'model_not_found'): ApiError {
  return new ApiError(404, message, { type: 'invalid_request_error', param, code });
}

export function modelNotFound(requested: string, servedModel: string): ApiError {
  return notFound(`The model \`${requested}\` does not exist. This server serves \`${servedModel}\`.`);
}

export function unauthorized(message = "Incorrect or missing API key. Send it as 'Authorization: Bearer <key>'."): ApiError {
  return new ApiError(401, message, { type: 'invalid_request_error', code: 'invalid_api_key' });
}

export function payloadTooLarge(message = 'The request body is too large.'): ApiError {
  return new ApiError(413, message, { type: 'invalid_request_error', code: 'request_too_large' });
}

/** 400 with OpenAI's wording; `param` is 'messages' for chat and 'prompt' for legacy completions. */
export function contextLengthExceeded(promptTokens: number, contextLength: number, param = 'messages'): ApiError {
  const what = param === 'prompt' ? 'prompt' : 'messages';
  return invalidRequest(
    `This model's maximum context length is ${contextLength} tokens. However, your ${what} resulted in ${promptTokens} tokens. Please reduce the length of the ${what}.`,
    param,
    'context_length_exceeded',
  );
}

export function serverError(message = 'The server had an error while processing your request.'): ApiError {
  return new ApiError(500, message, { type: 'server_error' });
}

/** 503: loading, shutting down or overloaded; the openai clients retry it. */
export function serviceUnavailable(message = 'The server is not ready to take requests; try again shortly.'): ApiError {
  return new ApiError(503, message, { type: 'server_error', code: 'service_unavailable' });
}
