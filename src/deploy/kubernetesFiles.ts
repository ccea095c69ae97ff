/**
 * Kubernetes: a Deployment and Service (or, across nodes, a LeaderWorkerSet: vLLM's own way to deploy multi-node), a
 * PersistentVolumeClaim for the weights, and Secret references. Objects are built with kubernetes-models and validated
 * against the official schemas before anything is written (the LeaderWorkerSet and KServe's InferenceService against
 * their CRDs, vendor/kubernetes-crds). Pure.
 */
import { runValidateFunc } from '@kubernetes-models/validate';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { stringify } from 'yaml';
import { validate as validateInferenceService } from '../../vendor/kubernetes-crds/inferenceservice-v1beta1.js';
import { validate as validateLeaderWorkerSet } from '../../vendor/kubernetes-crds/leaderworkerset-v1.js';
import { DevstralError } from '../errors.js';
import type { DeployFile } from './deployFile.js';
import { CONTAINER_CACHE, CONTAINER_MODELFILE, type ServerSpec } from './serverSpec.js';

const GiB = 1024 ** 3;
const gib = (bytes: number) => `${Math.ceil(bytes / GiB)}Gi`;

/** Validated, then written as YAML; a failure here is a bug in devstral, said as such. */
function objectFile(path: string, object: { toJSON?: () => unknown; validate?: () => void } | Record<string, unknown>, validate?: (data: unknown) => boolean): DeployFile {
  const data = typeof object.toJSON === 'function' ? (object.toJSON as () => unknown)() : object;
  try {
    if (validate) runValidateFunc(validate as never, data);
    else (object as { validate: () => void }).validate();
  } catch (error) {
    throw new DevstralError('failure', `devstral built an invalid ${path}: ${(error as Error).message}`, { hint: 'please report this with the command you ran' });
  }
  // YAML 1.1 quoting: kubectl reads 1.1, where an unquoted `on` (llama-server's `-fa on`) is the boolean true.
  return { path, content: `# Written by devstral deploy.\n${stringify(data, { lineWidth: 0, version: '1.1' })}` };
}

export interface KubernetesOptions {
  name: string;
  replicas: number;
  /** The volumes' storage class (default: the cluster's; shared volumes need one that offers ReadWriteMany). */
  storageClass?: string;
  /** Weights plus room, for the volume. */
  weightsBytes: number;
}

/** Probes: the process (startup, liveness) on /health, readiness on /v1/models (with the key, when there is one). */
function probes(spec: ServerSpec): Pick<IContainer, 'startupProbe' | 'readinessProbe' | 'livenessProbe'> {
  const http = (path: string): IProbe['httpGet'] => ({ path, port: spec.port });
  const key = spec.secrets.find((s) => s.required)?.name;
  const url = `http://127.0.0.1:${spec.port}${spec.readyPath}`;
  // Probes cannot read a Secret, so with a key readiness runs inside the container, where the key is in the environment.
  const ready: IProbe = spec.readyCommand
    ? { exec: { command: spec.readyCommand } }
    : key
    ? {
        exec: {
          command:
            spec.runtime === 'vllm'
              ? ['python3', '-c', `import os, urllib.request; urllib.request.urlopen(urllib.request.Request('${url}', headers={'Authorization': 'Bearer ' + os.environ['${key}']}))`]
              : ['sh', '-c', `curl -sf -H "Authorization: Bearer $${key}" ${url}`],
        },
      }
    : { httpGet: http(spec.readyPath) };
  return {
    // Downloading and loading the weights: as long as the planner's estimate for a first start.
    startupProbe: { httpGet: http(spec.healthPath), periodSeconds: 10, failureThreshold: Math.ceil(spec.startupSeconds / 10) },
    readinessProbe: { ...ready, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    livenessProbe: { httpGet: http(spec.healthPath), periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
  };
}

const modelfileDir = CONTAINER_MODELFILE.slice(0, CONTAINER_MODELFILE.lastIndexOf('/'));

function container(spec: ServerSpec, name: string, args: string[], serves: boolean): IContainer {
  const secretEnv = spec.secrets.map((s) => ({ name: s.name, valueFrom: { secretKeyRef: { name: `${name}-secrets`, key: s.name, optional: !s.required } } }));
  const hfHome = spec.cacheDir === CONTAINER_CACHE ? [{ name: 'HF_HOME', value: `${CONTAINER_CACHE}/huggingface` }] : [];
  return {
    name: 'server',
    image: spec.image,
    ...(spec.entrypoint ? { command: spec.entrypoint } : {}),
    args,
    env: [...Object.entries(spec.containerEnv).map(([k, v]) => ({ name: k, value: v })), ...hfHome, ...secretEnv],
    ...(serves ? { ports: [{ name: 'http', containerPort: spec.port }], ...probes(spec) } : {}),
    // Memory requested so the scheduler places the pod where the plan's RAM is free (and does not evict it first).
    resources: {
      requests: { memory: gib(spec.memoryBytes), ...(spec.gpus > 0 ? { 'nvidia.com/gpu': String(spec.gpus) } : {}) },
      ...(spec.gpus > 0 ? { limits: { 'nvidia.com/gpu': String(spec.gpus) } } : {}),
    },
    volumeMounts: [
      { name: 'cache', mountPath: spec.cacheDir },
      ...(spec.shmBytes ? [{ name: 'dshm', mountPath: '/dev/shm' }] : []),
      ...(spec.ollama ? [{ name: 'modelfile', mountPath: modelfileDir, readOnly: true }] : []),
    ],
  };
}

/** GPU nodes: the label NVIDIA's GPU feature discovery sets, and the taint GPU node pools usually carry. */
function podSpec(spec: ServerSpec, name: string, containers: IContainer[], cache: NonNullable<IPodSpec['volumes']>[number] | undefined): IPodSpec {
  return {
    containers,
    volumes: [
      ...(cache ? [cache] : []),
      ...(spec.ollama ? [{ name: 'modelfile', configMap: { name: `${name}-modelfile` } }] : []),
      // NCCL between tensor-parallel ranks needs more shared memory than a container's default 64 MiB.
      ...(spec.shmBytes ? [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: gib(spec.shmBytes) } }] : []),
    ],
    ...(spec.gpus > 0 ? { nodeSelector: { 'nvidia.com/gpu.present': 'true' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } : {}),
  };
}

/** Room for the weights and what the runtime writes beside them. */
const claimSpec = ({ weightsBytes, storageClass }: KubernetesOptions, access: 'ReadWriteOnce' | 'ReadWriteMany') => ({
  accessModes: [access],
  ...(storageClass ? { storageClassName: storageClass } : {}),
  resources: { requests: { storage: gib(weightsBytes * 1.2 + 10 * GiB) } },
});

/** The weights' volume; several replicas share it, so it must then be mountable from several nodes. */
function cacheClaim(options: KubernetesOptions, labels: Record<string, string>): PersistentVolumeClaim {
  return new PersistentVolumeClaim({ metadata: { name: `${options.name}-cache`, labels }, spec: claimSpec(options, options.replicas > 1 ? 'ReadWriteMany' : 'ReadWriteOnce') });
}

export function kubernetesFiles(specs: ServerSpec[], options: KubernetesOptions): DeployFile[] {
  const { name, replicas } = options;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'devstral' };
  const spec = specs[0]!;
  if (specs.length > 1) return leaderWorkerSetFiles(specs, options, labels);
  const service = new Service({ metadata: { name, labels }, spec: { selector: labels, ports: [{ name: 'http', port: spec.port, targetPort: 'http' }] } });
  const server = [container(spec, name, spec.containerArgs, true)];
  if (replicas > 1 && !sharesCache(spec)) {
    // Each replica downloads into a volume of its own (llama.cpp and Ollama have no lock for a shared one).
    const set = new StatefulSet({
      metadata: { name, labels },
      spec: {
        replicas,
        serviceName: name,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: podSpec(spec, name, server, undefined) },
        volumeClaimTemplates: [{ metadata: { name: 'cache', labels }, spec: claimSpec(options, 'ReadWriteOnce') }],
      },
    });
    return [objectFile('statefulset.yaml', set), objectFile('service.yaml', service), ...modelfileMap(spec, name, labels)];
  }
  const deployment = new Deployment({
    metadata: { name, labels },
    spec: {
      replicas,
      // One pod at a time on GPUs: a rolling update would need a second set of GPUs.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: podSpec(spec, name, server, { name: 'cache', persistentVolumeClaim: { claimName: `${name}-cache` } }) },
    },
  });
  return [objectFile('deployment.yaml', deployment), objectFile('service.yaml', service), objectFile('pvc.yaml', cacheClaim(options, labels)), ...modelfileMap(spec, name, labels)];
}

/** vLLM downloads through the Hugging Face hub library, which locks each file: replicas can share one volume. */
export const sharesCache = (spec: ServerSpec) => spec.runtime === 'vllm';

/** Ollama's model file (the planned context), mounted where the container's script creates the model from it. */
function modelfileMap(spec: ServerSpec, name: string, labels: Record<string, string>): DeployFile[] {
  if (!spec.ollama) return [];
  const file = CONTAINER_MODELFILE.slice(modelfileDir.length + 1);
  return [objectFile('configmap.yaml', new ConfigMap({ metadata: { name: `${name}-modelfile`, labels }, data: { [file]: spec.ollama.modelfile } }))];
}

/** Across nodes: one leader (node 0, serves) and workers that join it; LWS gives each its rank and the leader's address. */
function leaderWorkerSetFiles(specs: ServerSpec[], options: KubernetesOptions, labels: Record<string, string>): DeployFile[] {
  const { name, replicas } = options;
  // Kubernetes expands $(VAR) in args: LWS puts the leader's address and each pod's index in the environment.
  const lwsArgs = (args: string[]) => args.map((a) => (a === '$HEAD_ADDR' ? '$(LWS_LEADER_ADDRESS)' : a));
  const leader = specs[0]!;
  const worker = specs[1]!;
  const workerArgs = lwsArgs(worker.containerArgs).map((a, i, all) => (all[i - 1] === '--node-rank' ? '$(LWS_WORKER_INDEX)' : a));
  const lws = {
    apiVersion: 'leaderworkerset.x-k8s.io/v1',
    kind: 'LeaderWorkerSet',
    metadata: { name, labels },
    spec: {
      replicas,
      startupPolicy: 'LeaderCreated',
      leaderWorkerTemplate: {
        size: specs.length,
        restartPolicy: 'RecreateGroupOnPodRestart',
        // No shared claim: each pod gets its own "cache" volume from volumeClaimTemplates.
        leaderTemplate: { metadata: { labels: { ...labels, role: 'leader' } }, spec: podSpec(leader, name, [container(leader, name, lwsArgs(leader.containerArgs), true)], undefined) },
        workerTemplate: { metadata: { labels: { ...labels, role: 'worker' } }, spec: podSpec(worker, name, [container(worker, name, workerArgs, false)], undefined) },
        volumeClaimTemplates: [{ metadata: { name: 'cache', labels }, spec: claimSpec(options, 'ReadWriteOnce') }],
      },
    },
  };
  const service = new Service({
    metadata: { name, labels },
    spec: { selector: { 'leaderworkerset.sigs.k8s.io/name': name, role: 'leader' }, ports: [{ name: 'http', port: leader.port, targetPort: 'http' }] },
  });
  return [objectFile('leaderworkerset.yaml', lws, validateLeaderWorkerSet), objectFile('service.yaml', service)];
}

/** KServe: an InferenceService with the server as its predictor's container (raw deployment mode). */
export function kserveFiles(spec: ServerSpec, options: KubernetesOptions): DeployFile[] {
  const { name, replicas } = options;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'devstral' };
  const pod = podSpec(spec, name, [{ ...container(spec, name, spec.containerArgs, true), name: 'kserve-container' }], { name: 'cache', persistentVolumeClaim: { claimName: `${name}-cache` } });
  const isvc = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    // "RawDeployment": plain Deployment and Service, no Knative. KServe 0.16 renamed it "Standard" and still reads this.
    metadata: { name, labels, annotations: { 'serving.kserve.io/deploymentMode': 'RawDeployment' } },
    spec: { predictor: { minReplicas: replicas, maxReplicas: replicas, ...pod } },
  };
  return [objectFile('inferenceservice.yaml', isvc, validateInferenceService), objectFile('pvc.yaml', cacheClaim(options, labels)), ...modelfileMap(spec, name, labels)];
}
