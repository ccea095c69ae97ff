/** Pure parsers for the `--version` outputs of the runtimes and container tools. */

/** `vllm --version` (log lines may come first; the version is the last line) or the Python one-liner's output. */
export function parseVllmVersion(output: string): string | undefined {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const last = lines.at(-1);
  return last !== undefined && /^\d+\.\d+/.test(last) ? last.split(/\s+/)[0] : undefined;
}

/**
 * `ollama --version`: "ollama version is 0.13.0"; with no server running it prints
 * "Warning: could not connect to a running Ollama instance" and "Warning: client version is 0.13.0".
 */
export function parseOllamaVersion(output: string): { version?: string; serverReachable: boolean } {
  const version = /(?:ollama version is|client version is)\s+v?(\S+)/i.exec(output)?.[1];
  const serverReachable = !/could not connect to (?:a )?running Ollama instance/i.test(output);
  return version === undefined ? { serverReachable } : { version, serverReachable };
}

/** "Docker version 28.2.2, build e6534b4" / "podman version 5.2.2". */
export function parseContainerToolVersion(output: string): string | undefined {
  const m = /version\s+v?(\d+\.\d+(?:\.\d+)?[^\s,]*)/i.exec(output);
  return m?.[1];
}

/** `{"version":"0.13.0"}` from Ollama's GET /api/version. */
export function parseOllamaServerVersion(body: string): string | undefined {
  try {
    const doc: unknown = JSON.parse(body);
    const version = (doc as { version?: unknown } | null)?.version;
    return typeof version === 'string' && /^\d+\.\d+/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}
