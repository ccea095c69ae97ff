/**
 * "host:8000", "http://host:8000/", "http://host:8000/v1" -> { baseUrl: "http://host:8000/v1", rootUrl: "http://host:8000" }.
 * The root is where /health and Ollama's /api live. Pure.
 */
export function normalizeBaseUrl(url: string): { baseUrl: string; rootUrl: string } {
  const trimmed = url.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new TypeError(`${url} is not a URL: expected e.g. http://127.0.0.1:8000 or http://127.0.0.1:8000/v1`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`${url}: only http and https URLs are supported`);
  const path = parsed.pathname.replace(/\/+$/, '');
  const rootPath = path.replace(/\/v1$/, '');
  const rootUrl = `${parsed.origin}${rootPath}`;
  return { baseUrl: `${rootUrl}/v1`, rootUrl };
}
