/**
 * `devstral deploy`: a plan turned into files an existing engine runs (Docker Compose, systemd, Kubernetes, KServe),
 * with a README.md saying how to apply, check and remove them. Pure: the CLI writes what this returns.
 */
import { DevstralError } from '../errors.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';
import type { Plan, ResolvedServeOptions } from '../planShapes.js';
import type { ModelProfile } from '../profiles/modelProfile.js';
import { multiNodeChecklist } from '../runtimes/vllmNodes.js';
import { composeFiles } from './composeFiles.js';
import type { DeployFile } from './deployFile.js';
import { kserveFiles, kubernetesFiles, sharesCache } from './kubernetesFiles.js';
import { serverSpec, VLLM_VERSION, type ServerSpec } from './serverSpec.js';
import { systemdFiles } from './systemdFiles.js';

const RUNTIME_NAMES = { vllm: 'vLLM', llamacpp: 'llama-server', ollama: 'Ollama' } as const;

export const DEPLOY_TARGETS = ['compose', 'systemd', 'kubernetes', 'kserve'] as const;
export type DeployTarget = (typeof DEPLOY_TARGETS)[number];

export interface DeployRequest {
  target: DeployTarget;
  plan: Plan;
  model: ModelProfile;
  facts: HardwareFacts;
  serve: ResolvedServeOptions;
  /** Kubernetes object and unit names. */
  name: string;
  replicas: number;
  /** vLLM copies inside one server on one machine (compose, systemd): --data-parallel-size. */
  dataParallel?: number;
  /** Kubernetes volumes' storage class. */
  storageClass?: string;
}

export function deployFiles(request: DeployRequest): DeployFile[] {
  const { target, plan, model, facts, serve, name, replicas } = request;
  if (plan.nodes > 1 && (target === 'compose' || target === 'kserve')) {
    throw new DevstralError('usage', `--nodes ${plan.nodes}: --target ${target} ${target === 'compose' ? 'runs on one machine' : 'runs a model on one pod here (its multi-node mode needs its own Ray runtime)'}`, { hint: 'across machines use --target kubernetes (a LeaderWorkerSet) or --target systemd (a unit per node), or print the commands: devstral command --nodes N' });
  }
  const dataParallel = request.dataParallel ?? 1;
  const specs: ServerSpec[] = Array.from({ length: plan.nodes }, (_, rank) => serverSpec(plan, model, facts, serve, rank, dataParallel));
  const cluster = target === 'kubernetes' || target === 'kserve';
  if (cluster && specs[0]!.modelFile) {
    throw new DevstralError('usage', `--model ${specs[0]!.modelFile.hostPath}: a file on this machine is not on the cluster`, { hint: 'publish it (hf: reference) or plan a profile model; --target compose or systemd run it here' });
  }
  if (target === 'kserve' && replicas > 1 && !sharesCache(specs[0]!)) {
    throw new DevstralError('usage', `--replicas ${replicas}: KServe's pods share one weights volume, which only vLLM downloads into safely`, { hint: '--target kubernetes gives each replica its own volume (a StatefulSet)' });
  }
  const description = `${model.name} (${plan.artifact.quantization}) on ${RUNTIME_NAMES[plan.runtime]}`;
  const k8s = { name, replicas, weightsBytes: plan.artifact.bytes, ...(request.storageClass ? { storageClass: request.storageClass } : {}) };
  const files =
    target === 'compose' ? composeFiles(specs[0]!, serve.host, name)
    : target === 'systemd' ? systemdFiles(specs, name, description)
    : target === 'kubernetes' ? kubernetesFiles(specs, k8s)
    : kserveFiles(specs[0]!, k8s);
  return [...files, { path: 'README.md', content: deployReadme(request, specs[0]!, files) }];
}

/** How the replicas are served, and why that way. */
function replicaNote({ target, replicas, plan, dataParallel }: DeployRequest, spec: ServerSpec): string {
  if (plan.nodes > 1) return `${replicas} replicas: ${replicas} groups of ${plan.nodes} pods (the LeaderWorkerSet's replicas), each group one copy of the model, its leader behind the Service.`;
  if (dataParallel && dataParallel > 1) {
    return `${replicas} replicas on this one machine: vLLM's \`--data-parallel-size ${replicas}\`, ${replicas} copies of the model each on ${plan.tensorParallelSize} GPU(s), behind the one server, which balances requests between them (a single ${target === 'compose' ? 'service' : 'unit'} per machine; more copies of smaller tensor parallelism serve more agents at once than one wide copy).`;
  }
  if (!sharesCache(spec)) return `${replicas} replicas: a StatefulSet of ${replicas} pods, each with the plan's GPUs, its own copy of the model and its own weights volume (${RUNTIME_NAMES[plan.runtime]} has no lock for a shared one), behind the Service.`;
  return `${replicas} replicas: ${replicas} pods, each with the plan's GPUs and its own copy of the model, behind the Service (spread over nodes by the scheduler; the weights volume is ReadWriteMany so every pod can mount it, and vLLM's downloads lock each file).`;
}

function deployReadme(request: DeployRequest, spec: ServerSpec, files: DeployFile[]): string {
  const { target, plan, model, serve, name, replicas } = request;
  // Compose and systemd: the address the server is published on; Kubernetes: through kubectl port-forward.
  const local = `${target === 'compose' || target === 'systemd' ? spec.localUrl : `http://127.0.0.1:${serve.port}`}/v1`;
  const secrets = spec.secrets.map((s) => `- \`${s.name}\`${s.required ? ' (required)' : ''}: ${s.what}`);
  const keyFlag = spec.secrets.some((s) => s.required) ? ' --api-key "$KEY"' : '';
  const units = files.filter((f) => f.path.endsWith('.service')).map((f) => f.path);
  const envFile = files.some((f) => f.path.endsWith('.env.example'));
  const createSecret = spec.secrets.length ? [`kubectl create secret generic ${name}-secrets ${spec.secrets.map((s) => `--from-literal=${s.name}=...`).join(' ')}   # ${spec.secrets.filter((s) => !s.required).map((s) => s.name).join(', ') || 'none'} optional`] : [];
  const claims = files.some((f) => /^(statefulset|leaderworkerset)\.yaml$/.test(f.path)) ? [`kubectl delete pvc -l app.kubernetes.io/name=${name}   # the per-pod weights volumes`] : [];
  const runtimeInstall: Record<ServerSpec['runtime'], string[]> = {
    vllm: ['# vLLM in a virtualenv at /opt/vllm (the units look for it there), the version the images pin:', `sudo python3 -m venv /opt/vllm && sudo /opt/vllm/bin/pip install vllm==${VLLM_VERSION}`],
    llamacpp: ['# llama-server on the PATH (/usr/local/bin): a llama.cpp release or build'],
    ollama: ['# ollama on the PATH (/usr/local/bin or /usr/bin): https://ollama.com/download/linux', `# its installer also starts ollama.service; if that one listens on ${serve.port} too: sudo systemctl disable --now ollama`],
  };
  const apply: Record<DeployTarget, () => string[]> = {
    compose: () => [
      ...(envFile ? ['cp .env.example .env   # then fill it in; compose reads it, the secrets never enter compose.yaml'] : []),
      'docker compose up -d',
      'docker compose ps      # healthy once the model is ready',
      'docker compose logs -f',
      '# remove (the weights volume too, with -v):',
      'docker compose down',
    ],
    systemd: () => {
      const setup = [
        ...runtimeInstall[spec.runtime],
        // 755: the unit's dynamic user reads the Modelfile there; the env file itself stays root's (systemd reads it).
        `sudo install -d -m 755 /etc/${name}`,
        ...(envFile ? [`sudo install -m 600 ${name}.env.example /etc/${name}/${name}.env   # then fill it in${plan.nodes > 1 ? ' (the same on every node)' : ''}`] : []),
        ...(spec.ollama ? [`sudo install -m 644 Modelfile /etc/${name}/Modelfile`] : []),
      ];
      // --no-block: enable returns at once; the unit turns "active" when the server answers (a first start downloads).
      const start = (u: string) => `sudo cp ${u} /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now --no-block ${u}`;
      const perNode = units.length > 1 ? units.map((u, rank) => [`# on node ${rank}${rank === 0 ? ' (HEAD_ADDR is its address; start it first)' : ''}:`, ...setup, start(u)]).flat() : [...setup, start(units[0]!)];
      return [
        ...perNode,
        `systemctl status ${units[0]}   # "active (running)" once ${spec.ollama ? 'the model is pulled and created' : '/health answered'}`,
        `journalctl -u ${units[0]} -f`,
        '# remove (on each node; the last line deletes the downloaded weights):',
        ...units.map((u) => `sudo systemctl disable --now ${u} && sudo rm /etc/systemd/system/${u}`),
        `sudo rm -rf /etc/${name} /var/lib/private/${name}`,
      ];
    },
    kubernetes: () => [
      ...createSecret,
      ...(plan.nodes > 1 ? ['# LeaderWorkerSet needs its controller: https://lws.sigs.k8s.io/docs/installation/'] : []),
      'kubectl apply -f .',
      `kubectl get pods -l app.kubernetes.io/name=${name} -w   # Ready once the model is ready`,
      `kubectl port-forward svc/${name} ${serve.port}:${serve.port}`,
      '# remove (the weights volume too):',
      'kubectl delete -f .',
      ...claims,
    ],
    kserve: () => [
      ...createSecret,
      'kubectl apply -f .',
      `kubectl get inferenceservice ${name} -w   # READY True once the model is ready`,
      // KServe's predictor Service listens on 80 and targets the container's port.
      `kubectl port-forward svc/${name}-predictor ${serve.port}:80`,
      '# remove:',
      'kubectl delete -f .',
    ],
  };
  const notes = [
    ...(spec.modelFile && target === 'compose' ? [`The model file ${spec.modelFile.hostPath} is mounted read-only: keep it there.`] : []),
    ...(spec.modelFile && target === 'systemd' ? [`The unit runs as a dynamic user: ${spec.modelFile.hostPath} must be readable by every user, outside /tmp (the unit has a private /tmp) and outside /root or a private home.`] : []),
  ];
  return [
    `# ${model.name}: ${target}`,
    '',
    `Written by \`devstral deploy --target ${target}\` from this plan: ${plan.runtime}, ${plan.artifact.quantization} (${plan.artifact.source}), ${plan.contextLength} tokens of context` +
      `${plan.tensorParallelSize ? `, tensor parallel ${plan.tensorParallelSize}` : ''}${plan.nodes > 1 ? ` x pipeline parallel ${plan.pipelineParallelSize} over ${plan.nodes} nodes` : ''}` +
      `${spec.gpus ? `, ${spec.gpus} GPU(s) per ${plan.nodes > 1 ? 'node' : 'server'}` : ', CPU'}${replicas > 1 ? `, ${replicas} replicas` : ''}. Image: \`${spec.image}\` (pinned; check it with \`docker manifest inspect\`).`,
    ...(replicas > 1 ? ['', replicaNote(request, spec)] : []),
    '',
    '## Files',
    ...files.map((f) => `- \`${f.path}\``),
    '',
    '## Secrets',
    ...(secrets.length
      ? ['Read from the environment at start, never written into these files:', ...secrets]
      : [`None: ${RUNTIME_NAMES[spec.runtime]} reads no secrets${spec.runtime === 'ollama' ? ' and checks no API key, so keep the port private (or put a proxy that checks one in front)' : ''}.`]),
    ...notes.flatMap((n) => ['', n]),
    '',
    '## Apply, check, remove',
    '```sh',
    ...apply[target](),
    '```',
    '',
    `A first start downloads ${(plan.artifact.bytes / 1e9).toFixed(1)} GB of weights and loads them: allow up to ${Math.ceil(spec.startupSeconds / 60)} minutes (the probes and timeouts are sized for that).`,
    ...(plan.nodes > 1 ? ['', '## Across nodes', ...multiNodeChecklist(plan, model, target === 'kubernetes' ? 'kubernetes' : 'machines').map((l) => `- ${l}`)] : []),
    ...(replicas > 1 && sharesCache(spec) && (target === 'kubernetes' || target === 'kserve') && plan.nodes === 1
      ? ['', `The shared weights volume is ReadWriteMany: the cluster needs a storage class that offers it (NFS, CephFS, EFS, Filestore, Azure Files)${request.storageClass ? ` (--storage-class ${request.storageClass})` : '; name it with --storage-class'}.`]
      : []),
    '',
    '## Check it',
    'Once it is ready (from where the port is reachable):',
    '```sh',
    `npx devstral health ${local} --model ${spec.model}${keyFlag}   # chat, streaming, a forced tool call, JSON mode, the context`,
    `npx devstral bench ${local} --model ${spec.model}${keyFlag} --concurrency 1,4,16   # tokens/s and latency per concurrency level`,
    '```',
    '',
  ].join('\n');
}
