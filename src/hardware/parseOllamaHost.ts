/**
 * The URL to reach Ollama at, from OLLAMA_HOST, following Ollama's own rules (envconfig.Host):
 * "" -> http://127.0.0.1:11434; "0.0.0.0" and "host:port" get http and port 11434 when missing;
 * "http://host" alone means port 80, "https://host" 443. Bind-all addresses are dialled on loopback.
 */
export function parseOllamaHost(value: string | undefined): string {
  const fallback = 'http://127.0.0.1:11434';
  let rest = (value ?? '').trim().replace(/^["']|["']$/g, '');
  let scheme = 'http';
  let defaultPort = '11434';
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase();
    rest = rest.slice(schemeMatch[0].length);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
  }
  const slash = rest.indexOf('/');
  const path = slash >= 0 ? rest.slice(slash).replace(/\/+$/, '') : '';
  const hostport = slash >= 0 ? rest.slice(0, slash) : rest;

  let host: string;
  let port: string;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(hostport);
  const hostWithPort = /^([^:]*):(\d*)$/.exec(hostport);
  if (bracketed) [host, port] = [bracketed[1]!, bracketed[2] || defaultPort];
  else if (hostWithPort) [host, port] = [hostWithPort[1]!, hostWithPort[2] || defaultPort];
  else [host, port] = [hostport, defaultPort];
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  const n = Number(port);
  if (!Number.isInteger(n) || n < 0 || n > 65535) return fallback;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${hostPart}:${port}${path}`;
}
