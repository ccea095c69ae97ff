/**
 * Docker Compose: one service from the plan, GPUs reserved the Compose way, weights in a named volume, secrets taken
 * from the .env file beside it (only their names are written), a health check, restarts, and the port bound to the
 * address the plan listens on (127.0.0.1 unless --host said otherwise). Pure.
 */
import { stringify } from 'yaml';
import { DevstralError } from '../errors.js';
import { hostPort, isIpAddress } from '../runtimes/hostPort.js';
import { CONTAINER_MODELFILE, type ServerSpec } from './serverSpec.js';
import type { DeployFile } from './deployFile.js';

/** Compose interpolates $NAME everywhere: a literal $ (a shell variable in Ollama's script) is written $$. */
const literal = (words: string[]) => words.map((w) => w.replace(/\$/g, '$$$$'));

/** The check runs inside the container: vLLM's image has Python, llama.cpp's has curl, Ollama's has ollama. */
function healthTest(spec: ServerSpec): string[] {
  if (spec.readyCommand) return ['CMD', ...spec.readyCommand];
  const probe = `http://127.0.0.1:${spec.port}${spec.healthPath}`;
  return spec.runtime === 'vllm' ? ['CMD', 'python3', '-c', `import urllib.request; urllib.request.urlopen('${probe}')`] : ['CMD', 'curl', '-sf', probe];
}

export function composeFiles(spec: ServerSpec, host: string, name: string): DeployFile[] {
  const environment: Record<string, string> = Object.fromEntries(Object.entries(spec.containerEnv).map(([k, v]) => [k, literal([v])[0]!]));
  // ${NAME:?...}: Compose refuses to start without a required secret, and says which.
  for (const s of spec.secrets) environment[s.name] = s.required ? `\${${s.name}:?set ${s.name} in .env}` : `\${${s.name}:-}`;
  const address = host === 'localhost' ? '127.0.0.1' : host;
  if (!isIpAddress(address)) throw new DevstralError('usage', `--host ${host}: Compose publishes ports on an IP address, not a host name`, { hint: 'use --host 127.0.0.1, an address of the host, or --host 0.0.0.0' });
  const bind = address === '0.0.0.0' || address === '::' ? `${spec.port}:${spec.port}` : `${hostPort(address, spec.port)}:${spec.port}`;
  const volumes = [
    `${name}-cache:${spec.cacheDir}`,
    ...(spec.modelFile ? [`${spec.modelFile.hostPath}:${spec.modelFile.containerPath}:ro`] : []),
    ...(spec.ollama ? [`./Modelfile:${CONTAINER_MODELFILE}:ro`] : []),
  ];
  const service: Record<string, unknown> = {
    image: spec.image,
    ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
    command: literal(spec.containerArgs),
    ports: [bind],
    ...(Object.keys(environment).length ? { environment } : {}),
    volumes,
    ...(spec.runtime === 'vllm' ? { ipc: 'host' } : {}),
    healthcheck: { test: healthTest(spec), interval: '30s', timeout: '10s', retries: 3, start_period: `${spec.startupSeconds}s` },
    restart: 'unless-stopped',
    ...(spec.gpus > 0 ? { deploy: { resources: { reservations: { devices: [{ driver: 'nvidia', ...(spec.gpuIds ? { device_ids: spec.gpuIds } : { count: spec.gpus }), capabilities: ['gpu'] }] } } } } : {}),
  };
  const compose = { services: { [name]: service }, volumes: { [`${name}-cache`]: {} } };
  const header = spec.secrets.length ? '# Written by devstral deploy. Secrets come from .env (copy .env.example), never from this file.' : '# Written by devstral deploy.';
  const env = spec.secrets.map((s) => `# ${s.what}${s.required ? ' (required)' : ''}\n${s.name}=`).join('\n');
  return [
    // YAML 1.1 quoting: Compose v1 (PyYAML) reads an unquoted `on` as true, and Compose v2 refuses it in a command.
    { path: 'compose.yaml', content: `${header}\n${stringify(compose, { lineWidth: 0, version: '1.1' })}` },
    ...(spec.secrets.length ? [{ path: '.env.example', content: `${env}\n` }] : []),
    ...(spec.ollama ? [{ path: 'Modelfile', content: spec.ollama.modelfile }] : []),
  ];
}
