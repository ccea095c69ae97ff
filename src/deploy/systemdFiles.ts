/**
 * systemd: one unit per node. ExecStart is the plan's command; secrets come from an EnvironmentFile; the unit is
 * started only once /health answers (ExecStartPost polls it for as long as a first start may take; for Ollama it then
 * pulls and creates the planned model); Restart=on-failure.
 * A dynamic user with its own state directory holds the weights. Pure.
 */
import { renderShellCommand } from '../runtimes/shellQuote.js';
import type { DeployFile } from './deployFile.js';
import type { ServerSpec } from './serverSpec.js';

/** systemd expands ${NAME} and %x itself: literal ones are doubled. */
const systemdEscape = (text: string) => text.replace(/%/g, '%%').replace(/\$/g, '$$$$');
/** systemd expands ${NAME} in ExecStart from Environment= and EnvironmentFile=. */
const systemdWords = (argv: string[]) => argv.map((a) => (a === '$HEAD_ADDR' ? '${HEAD_ADDR}' : systemdEscape(renderShellCommand([a])))).join(' ');
/** A shell script as one ExecStart word: double-quoted the way systemd reads it. */
const shellLine = (script: string) => `/bin/sh -c "${systemdEscape(script).replace(/[\\"]/g, '\\$&')}"`;

/** Ready once /health answers (and, for Ollama, once the planned model is pulled and created). */
function readiness(spec: ServerSpec, name: string): string {
  const waits = Math.ceil(spec.startupSeconds / 5);
  const health = `curl -sf ${spec.localUrl}${spec.healthPath} >/dev/null`;
  const poll = `for i in $(seq ${waits}); do ${health} && break; sleep 5; done`;
  return spec.ollama ? `${poll}; ${spec.ollama.prepare(`/etc/${name}/Modelfile`)}` : `${poll}; ${health}`;
}

export function systemdUnit(spec: ServerSpec, name: string, description: string, rank: number, nodes: number): string {
  const state = `/var/lib/${name}`;
  // A dynamic user's home is /, read-only here: every cache (vLLM's compile cache, Triton's, the weights) goes to the state directory.
  const weights = spec.ollama ? { OLLAMA_MODELS: `${state}/ollama` } : { HF_HOME: `${state}/huggingface`, LLAMA_CACHE: `${state}/llama.cpp` };
  const env = Object.entries({ HOME: state, XDG_CACHE_HOME: `${state}/cache`, ...weights, ...spec.env }).map(([k, v]) => `Environment=${k}=${v}`);
  const serves = rank === 0;
  const required = [...spec.secrets.filter((s) => s.required).map((s) => s.name), ...(nodes > 1 ? ['HEAD_ADDR'] : [])];
  const listed = [...spec.secrets.map((s) => s.name), ...(nodes > 1 ? ['HEAD_ADDR'] : [])];
  // Without the file, or with a required value empty, the unit does not start (a server without its key would be open).
  const check = required.map((v) => `test -n "$${v}" || { echo "${v} is not set in /etc/${name}/${name}.env" >&2; exit 1; }`).join('; ');
  return [
    '# Written by devstral deploy.',
    '[Unit]',
    `Description=${description}${nodes > 1 ? ` (node ${rank} of ${nodes})` : ''}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=exec',
    'DynamicUser=yes',
    `StateDirectory=${name}`,
    ...env,
    ...(listed.length ? [`# ${listed.join(', ')}: one NAME=value per line, readable by root only.`, `EnvironmentFile=${required.length ? '' : '-'}/etc/${name}/${name}.env`] : []),
    ...(required.length ? [`ExecStartPre=${shellLine(check)}`] : []),
    // Ports below 1024 need the capability a dynamic user lacks.
    ...(spec.port < 1024 ? ['AmbientCapabilities=CAP_NET_BIND_SERVICE'] : []),
    // Where the server's command is: vLLM in the /opt/vllm virtualenv the README sets up, llama-server in /usr/local/bin.
    `Environment=PATH=${spec.runtime === 'vllm' ? '/opt/vllm/bin:' : ''}/usr/local/bin:/usr/bin:/bin`,
    `ExecStart=/usr/bin/env ${systemdWords(spec.argv)}`,
    ...(serves ? [`ExecStartPost=${shellLine(readiness(spec, name))}`] : []),
    `TimeoutStartSec=${spec.startupSeconds + 60}`,
    'Restart=on-failure',
    'RestartSec=10',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export function systemdFiles(specs: ServerSpec[], name: string, description: string): DeployFile[] {
  const unitName = (rank: number) => (specs.length > 1 ? `${name}-node${rank}.service` : `${name}.service`);
  const files: DeployFile[] = specs.map((spec, rank) => ({ path: unitName(rank), content: systemdUnit(spec, name, description, rank, specs.length) }));
  const secrets = specs[0]!.secrets.map((s) => `# ${s.what}${s.required ? ' (required)' : ''}\n${s.name}=`);
  if (specs.length > 1) secrets.push("# node 0's address on the network between the nodes (the same on every node)\nHEAD_ADDR=");
  if (secrets.length) files.push({ path: `${name}.env.example`, content: `${secrets.join('\n')}\n` });
  if (specs[0]!.ollama) files.push({ path: 'Modelfile', content: specs[0]!.ollama.modelfile });
  return files;
}
