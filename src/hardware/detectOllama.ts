import type { DetectDeps, ProbeResult } from './detectDeps.js';
import type { RuntimeFacts } from './hardwareFacts.js';
import { parseOllamaHost } from './parseOllamaHost.js';
import { parseOllamaServerVersion, parseOllamaVersion } from './parseRuntimeVersions.js';
import { firstLine, noteFromExecFailure, probeNote } from './probeNote.js';

const PROBE = 'ollama';

/**
 * The ollama CLI's version and whether a server answers at OLLAMA_HOST. A running server counts even
 * without the CLI (e.g. Ollama in Docker): it is what we would talk to, so its version wins.
 */
export async function detectOllama(deps: Pick<DetectDeps, 'exec' | 'versionExec' | 'httpGet' | 'env' | 'timeoutMs' | 'httpTimeoutMs'>): Promise<ProbeResult<{ ollama?: NonNullable<RuntimeFacts['ollama']> }>> {
  const host = parseOllamaHost(deps.env.OLLAMA_HOST);
  const [cli, server] = await Promise.all([
    (deps.versionExec ?? deps.exec)('ollama', ['--version'], { timeoutMs: deps.timeoutMs, env: deps.env }),
    deps.httpGet(`${host}/api/version`, deps.httpTimeoutMs),
  ]);
  const serverVersion = server.kind === 'response' && server.status === 200 ? parseOllamaServerVersion(server.body) : undefined;
  const cliVersion = cli.kind === 'exited' ? parseOllamaVersion(cli.stdout + cli.stderr).version : undefined;
  const version = serverVersion ?? cliVersion;
  if (version !== undefined) return { ollama: { version, running: serverVersion !== undefined, host }, notes: [] };

  const noServer = `no server answers at ${host}`;
  if (cli.kind === 'exited') return { notes: [probeNote(PROBE, 'failed', `ollama --version exited ${cli.exitCode}: ${firstLine(cli.stdout + cli.stderr)}; ${noServer}`)] };
  return { notes: [noteFromExecFailure(PROBE, cli, `ollama not found on PATH, and ${noServer}`)] };
}
