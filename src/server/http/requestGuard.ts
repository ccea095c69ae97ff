/**
 * What a local server must refuse although it listens on 127.0.0.1: any web page the user opens can send requests
 * to it. DNS rebinding (evil.example resolving to 127.0.0.1) arrives with a foreign Host header; a cross-site
 * request arrives with the page's Origin. So: Host must name this machine unless the server listens on a public
 * address; an Origin is accepted, and answered with CORS headers, only when --cors-origin lists it. Pure.
 */
import { isIP } from 'node:net';
import { ApiError } from '../apiError.js';

export interface GuardOptions {
  /** The address the server listens on (--host). */
  listenHost: string;
  /** Host names accepted besides loopback and the listen address (--allowed-hosts). */
  allowedHosts: string[];
  /** Origins of web pages allowed to call the server (--cors-origin); '*' allows any. */
  corsOrigins: string[];
}

const CORS_HEADERS = 'authorization, content-type, x-api-key, anthropic-version, anthropic-beta, openai-beta, x-stainless-retry-count';

export function isLoopbackName(name: string): boolean {
  const host = name.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Listening on 0.0.0.0, :: or a non-loopback address: clients may name the machine any way. */
export function listensPublicly(listenHost: string): boolean {
  return !isLoopbackName(listenHost);
}

/** The host name of a Host header, without port and brackets. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** 403 for a Host that does not name this server (DNS rebinding), else undefined. */
export function checkHost(header: string | undefined, options: GuardOptions): ApiError | undefined {
  if (header === undefined || listensPublicly(options.listenHost)) return undefined;
  const name = hostName(header);
  const allowed = isLoopbackName(name) || name === options.listenHost.toLowerCase() || options.allowedHosts.some((h) => h.toLowerCase() === name);
  if (allowed) return undefined;
  return new ApiError(403, `Host "${header}" is not this server: requests must name localhost, 127.0.0.1 or [::1] (a web page could otherwise reach this server through DNS rebinding). To allow another name, start the server with --allowed-hosts ${name}.`, { type: 'permission_error', code: 'host_not_allowed' });
}

export function originAllowed(origin: string, options: GuardOptions): boolean {
  return options.corsOrigins.includes('*') || options.corsOrigins.some((o) => o.replace(/\/+$/, '').toLowerCase() === origin.toLowerCase());
}

/** 403 for a request from a web page whose origin --cors-origin does not list, else undefined. */
export function checkOrigin(origin: string | undefined, options: GuardOptions): ApiError | undefined {
  if (origin === undefined || originAllowed(origin, options)) return undefined;
  return new ApiError(403, `requests from web pages at ${origin} are refused; to allow that origin, start the server with --cors-origin ${origin}.`, { type: 'permission_error', code: 'origin_not_allowed' });
}

/** CORS response headers for an allowed origin (none for others, so browsers keep the answer from the page). */
export function corsHeaders(origin: string | undefined, options: GuardOptions, preflight = false): Record<string, string> {
  if (origin === undefined || !originAllowed(origin, options)) return {};
  return {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    ...(preflight ? { 'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS', 'access-control-allow-headers': CORS_HEADERS, 'access-control-max-age': '600' } : {}),
  };
}

/** 415 unless a POST body is declared as JSON (a text/plain POST needs no preflight, so a page could send one). */
export function checkJsonBody(contentType: string | undefined): ApiError | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type)) return undefined;
  return new ApiError(415, `the request body must be sent as Content-Type: application/json${type ? ` (got ${type})` : ''}.`, { code: 'unsupported_media_type' });
}
