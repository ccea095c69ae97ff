/**
 * `devstral deploy`: every Kubernetes object re-validated after a YAML round trip (kubernetes-models, and the CRD
 * validators for LeaderWorkerSet and InferenceService), compose files through `docker compose config` and units
 * through `systemd-analyze verify` where those exist; assertions on what matters: GPUs, probes, flags, secrets.
 */
import { runValidateFunc } from '@kubernetes-models/validate';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { validate as validateInferenceService } from '../../vendor/kubernetes-crds/inferenceservice-v1beta1.js';
import { validate as validateLeaderWorkerSet } from '../../vendor/kubernetes-crds/leaderworkerset-v1.js';
import type { DeployFile } from '../../src/deploy/deployFile.ts';
import { deployFiles, type DeployTarget } from '../../src/deploy/deployFiles.ts';
import type { DevstralError } from '../../src/errors.ts';
import { planLaunch } from '../../src/plan/planLaunch.ts';
import type { PlanOptions } from '../../src/planShapes.ts';
import { readProfilesDir, type ProfileCatalog } from '../../src/profiles/profileCatalog.ts';
import { resolveServeOptions } from '../../src/runtimes/buildLaunchCommand.ts';
import { writeTinyGguf } from '../support/writeTinyGguf.ts';

const SECRET = 'sk-never-in-a-file';
const flags = (file: string) => new Set(readFileSync(new URL(`../../reference/vllm/${file}`, import.meta.url), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean));
const COMMON_FLAGS = flags('vllm-serve-flags-common-2025-05_to_2026-05.txt');
const LATEST_FLAGS = flags('vllm-serve-flags.txt');
const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

let catalog: ProfileCatalog;
before(async () => {
  catalog = await readProfilesDir();
});

function deploy(target: DeployTarget, hardware: string, options: PlanOptions = {}, extra: { model?: string; replicas?: number; dataParallel?: number; host?: string; keyless?: boolean; port?: number } = {}) {
  const facts = catalog.hardware.find((h) => h.id === hardware)!;
  const model = catalog.models.find((m) => m.id === (extra.model ?? 'devstral-small-1.1'))!;
  const serveOptions = { host: extra.host ?? '127.0.0.1', ...(extra.keyless ? {} : { apiKey: SECRET }), ...(extra.port ? { port: extra.port } : {}) };
  const plan = planLaunch(facts, model, options, serveOptions);
  const files = deployFiles({ target, plan, model, facts, serve: resolveServeOptions(plan, facts, serveOptions), name: 'devstral', replicas: extra.replicas ?? 1, ...(extra.dataParallel ? { dataParallel: extra.dataParallel } : {}) });
  for (const f of files) assert.ok(!f.content.includes(SECRET), `${f.path}: the API key is never written`);
  const file = (path: string) => files.find((f) => f.path === path)!.content;
  return { plan, files, file };
}

/** The manifest as kubectl would read it, validated again from the parsed YAML. */
function objects(files: DeployFile[]): Record<string, any> {
  const byKind: Record<string, any> = {};
  for (const f of files.filter((f) => f.path.endsWith('.yaml'))) {
    // As kubectl reads it (YAML 1.1: an unquoted `on` or `yes` would be a boolean).
    const [doc, ...more] = parseAllDocuments(f.content, { version: '1.1' });
    assert.equal(more.length, 0, `${f.path}: one object per file`);
    const data = doc!.toJS();
    byKind[data.kind] = data;
    if (data.kind === 'Deployment') new Deployment(data).validate();
    else if (data.kind === 'Service') new Service(data).validate();
    else if (data.kind === 'PersistentVolumeClaim') new PersistentVolumeClaim(data).validate();
    else if (data.kind === 'StatefulSet') new StatefulSet(data).validate();
    else if (data.kind === 'ConfigMap') new ConfigMap(data).validate();
    else if (data.kind === 'LeaderWorkerSet') runValidateFunc(validateLeaderWorkerSet as never, data);
    else if (data.kind === 'InferenceService') runValidateFunc(validateInferenceService as never, data);
    else assert.fail(`unexpected kind ${data.kind}`);
  }
  return byKind;
}

/** The script of `/bin/sh -c "..."` as systemd reads it: \" and \\ escapes, $$ and %% for literal $ and %. */
function systemdShell(line: string): string {
  const quoted = /^\/bin\/sh -c "(.*)"$/.exec(line)![1]!;
  return quoted.replace(/\\(["\\])/g, '$1').replace(/\$\$/g, '$').replace(/%%/g, '%');
}

/** compose.yaml as Compose v1 (PyYAML, YAML 1.1) reads it. */
const compose_ = (files: DeployFile[]) => parse(files.find((f) => f.path === 'compose.yaml')!.content, { version: '1.1' }) as { services: Record<string, any>; volumes: Record<string, unknown> };

const optionsOf = (args: string[]) => args.filter((a) => a.startsWith('--'));
const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('deploy --target kubernetes', () => {
  it('2x A100: a Deployment with both GPUs, probes sized for a first start, secrets by reference, the plan\'s flags', () => {
    const { plan, files } = deploy('kubernetes', '2x-a100-80gb');
    const { Deployment: d, Service: s, PersistentVolumeClaim: pvc } = objects(files);
    const c = d.spec.template.spec.containers[0];
    assert.equal(c.resources.limits['nvidia.com/gpu'], '2');
    assert.equal(c.image, 'vllm/vllm-openai:v0.31.0');
    assert.equal(argAfter(c.args, '--tensor-parallel-size'), '2');
    assert.equal(argAfter(c.args, '--host'), '0.0.0.0');
    for (const flag of optionsOf(c.args)) assert.ok(COMMON_FLAGS.has(flag), `${flag} is a vLLM option`);
    assert.ok(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold >= 600, 'at least ten minutes for a 24B model');
    assert.ok(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold >= plan.artifact.bytes / 50e6, 'time to download the weights');
    assert.equal(c.livenessProbe.httpGet.path, '/health');
    // With a key, readiness on /v1/models needs it: the probe runs in the container, where the Secret put it.
    assert.match(c.readinessProbe.exec.command.join(' '), /\/v1\/models.*Authorization.*VLLM_API_KEY/);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    assert.deepEqual(env.VLLM_API_KEY.valueFrom.secretKeyRef, { name: 'devstral-secrets', key: 'VLLM_API_KEY', optional: false });
    assert.equal(env.HF_TOKEN.valueFrom.secretKeyRef.optional, true);
    const dshm = d.spec.template.spec.volumes.find((v: any) => v.name === 'dshm');
    assert.equal(dshm.emptyDir.medium, 'Memory');
    assert.equal(d.spec.template.spec.nodeSelector['nvidia.com/gpu.present'], 'true');
    assert.equal(s.spec.ports[0].port, 8000);
    assert.deepEqual(pvc.spec.accessModes, ['ReadWriteOnce']);
    assert.ok(parseInt(pvc.spec.resources.requests.storage, 10) * 1024 ** 3 > plan.artifact.bytes);
  });

  it('without a key, readiness is an HTTP probe on /v1/models; --replicas N gives N pods on a shared volume', () => {
    const facts = catalog.hardware.find((h) => h.id === '1x-h100-80gb')!;
    const model = catalog.models.find((m) => m.id === 'devstral-small-1.1')!;
    const plan = planLaunch(facts, model, {}, { host: '127.0.0.1' });
    const files = deployFiles({ target: 'kubernetes', plan, model, facts, serve: resolveServeOptions(plan, facts, { host: '127.0.0.1' }), name: 'team', replicas: 3, storageClass: 'nfs-client' });
    const { Deployment: d, PersistentVolumeClaim: pvc } = objects(files);
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.spec.template.spec.containers[0].readinessProbe.httpGet.path, '/v1/models');
    assert.deepEqual(pvc.spec.accessModes, ['ReadWriteMany']);
    assert.equal(pvc.spec.storageClassName, 'nfs-client');
    const readme = files.find((f) => f.path === 'README.md')!.content;
    assert.match(readme, /3 replicas: 3 pods/);
    assert.match(readme, /needs a storage class that offers it/);
    // The scheduler places the pod where its RAM is free; a CPU plan asks for what it keeps in RAM.
    assert.ok(d.spec.template.spec.containers[0].resources.requests.memory);
    const cpu = deploy('kubernetes', 'cpu-only-64gb');
    const request = parseInt(objects(cpu.files).Deployment.spec.template.spec.containers[0].resources.requests.memory, 10);
    assert.ok(request * 1024 ** 3 >= cpu.plan.memory.ramBytes!, `${request} GiB requested for ${cpu.plan.memory.ramBytes} bytes in RAM`);
  });

  it('llama.cpp plans run llama-server\'s CUDA image with the plan\'s layers and context', () => {
    const { plan, files } = deploy('kubernetes', 'rtx-4090');
    const c = objects(files).Deployment.spec.template.spec.containers[0];
    assert.equal(plan.runtime, 'llamacpp');
    assert.match(c.image, /^ghcr\.io\/ggml-org\/llama\.cpp:server-cuda-b\d+$/);
    assert.equal(argAfter(c.args, '-c'), String(plan.contextLength));
    assert.ok(c.args.includes('--jinja'));
    assert.ok(!c.args.includes('--api-key'), 'the key comes from LLAMA_API_KEY');
    assert.ok(c.env.some((e: any) => e.name === 'LLAMA_API_KEY' && e.valueFrom));
  });

  it('arguments YAML 1.1 would read as booleans stay strings (llama-server\'s `-fa on` on a CPU plan)', () => {
    const { plan, files } = deploy('kubernetes', 'cpu-only-16gb');
    assert.equal(plan.kvCacheType, 'q8_0');
    const c = objects(files).Deployment.spec.template.spec.containers[0];
    assert.equal(argAfter(c.args, '-fa'), 'on');
    assert.equal(argAfter(compose_(deploy('compose', 'cpu-only-16gb').files).services.devstral.command, '-fa'), 'on');
  });

  it('Devstral 2 on two 4x H100 nodes: a LeaderWorkerSet, the leader serving, the workers joining headless', () => {
    const { files } = deploy('kubernetes', '4x-h100-80gb', { nodes: 2 }, { model: 'devstral-2' });
    const { LeaderWorkerSet: lws, Service: s } = objects(files);
    const t = lws.spec.leaderWorkerTemplate;
    assert.equal(t.size, 2);
    const leader = t.leaderTemplate.spec.containers[0];
    const worker = t.workerTemplate.spec.containers[0];
    for (const c of [leader, worker]) {
      assert.equal(c.resources.limits['nvidia.com/gpu'], '4');
      assert.equal(argAfter(c.args, '--tensor-parallel-size'), '4');
      assert.equal(argAfter(c.args, '--pipeline-parallel-size'), '2');
      assert.equal(argAfter(c.args, '--master-addr'), '$(LWS_LEADER_ADDRESS)');
      for (const flag of optionsOf(c.args)) assert.ok(LATEST_FLAGS.has(flag), `${flag} is a vLLM option`);
    }
    assert.equal(argAfter(leader.args, '--node-rank'), '0');
    assert.equal(argAfter(worker.args, '--node-rank'), '$(LWS_WORKER_INDEX)');
    assert.ok(worker.args.includes('--headless') && !leader.args.includes('--headless'));
    assert.ok(leader.startupProbe && leader.readinessProbe && !worker.readinessProbe, 'only the leader serves');
    assert.equal(s.spec.selector.role, 'leader');
    // LWS gives the leader's address and each pod its own volume: no bare-machine steps in the checklist.
    const readme = files.find((f) => f.path === 'README.md')!.content;
    assert.match(readme, /## Across nodes[\s\S]*NetworkPolicy/);
    assert.doesNotMatch(readme, /HEAD_ADDR|devstral pull/);
  });
});

describe('deploy --target kserve', () => {
  it('an InferenceService (raw deployment) with the server as its predictor container', () => {
    const { files } = deploy('kserve', '2x-a100-80gb', {}, { replicas: 2 });
    const { InferenceService: isvc } = objects(files);
    assert.equal(isvc.metadata.annotations['serving.kserve.io/deploymentMode'], 'RawDeployment');
    assert.deepEqual([isvc.spec.predictor.minReplicas, isvc.spec.predictor.maxReplicas], [2, 2]);
    const c = isvc.spec.predictor.containers[0];
    assert.equal(c.name, 'kserve-container');
    assert.equal(c.resources.limits['nvidia.com/gpu'], '2');
    // KServe's predictor Service listens on 80.
    assert.match(files.find((f) => f.path === 'README.md')!.content, /kubectl port-forward svc\/devstral-predictor 8000:80/);
  });
});

describe('deploy --target compose', () => {
  const compose = compose_;

  it('the pinned image, GPUs reserved, the cache in a named volume, secrets from .env, a health check, 127.0.0.1', () => {
    const { files } = deploy('compose', '2x-a100-80gb');
    const svc = compose(files).services.devstral;
    assert.equal(svc.image, 'vllm/vllm-openai:v0.31.0');
    assert.deepEqual(svc.deploy.resources.reservations.devices, [{ driver: 'nvidia', count: 2, capabilities: ['gpu'] }]);
    assert.deepEqual(svc.ports, ['127.0.0.1:8000:8000']);
    assert.equal(svc.restart, 'unless-stopped');
    assert.match(svc.volumes[0], /^devstral-cache:\/root\/\.cache$/);
    assert.equal(svc.environment.VLLM_API_KEY, '${VLLM_API_KEY:?set VLLM_API_KEY in .env}');
    assert.match(svc.healthcheck.test.join(' '), /\/health/);
    assert.ok(parseInt(svc.healthcheck.start_period, 10) >= 600);
    assert.match(files.find((f) => f.path === '.env.example')!.content, /^VLLM_API_KEY=$/m);
  });

  it('--host 0.0.0.0 publishes on every address; --replicas 2 on one machine is vLLM data parallel', () => {
    const facts = catalog.hardware.find((h) => h.id === '2x-a100-80gb')!;
    const model = catalog.models.find((m) => m.id === 'devstral-small-1.1')!;
    const plan = planLaunch(facts, model, { tp: 1 }, { host: '0.0.0.0' });
    const files = deployFiles({ target: 'compose', plan, model, facts, serve: resolveServeOptions(plan, facts, { host: '0.0.0.0' }), name: 'devstral', replicas: 2, dataParallel: 2 });
    const svc = compose(files).services.devstral;
    assert.deepEqual(svc.ports, ['8000:8000']);
    assert.equal(argAfter(svc.command, '--data-parallel-size'), '2');
    assert.equal(argAfter(svc.command, '--tensor-parallel-size'), '1');
    assert.equal(svc.deploy.resources.reservations.devices[0].count, 2);
    assert.match(files.find((f) => f.path === 'README.md')!.content, /--data-parallel-size 2/);
    // Compose binds ports to addresses: localhost is 127.0.0.1, a host name is refused.
    assert.deepEqual(compose(deploy('compose', 'rtx-4090', {}, { host: 'localhost' }).files).services.devstral.ports, ['127.0.0.1:8000:8000']);
    assert.deepEqual(compose(deploy('compose', 'rtx-4090', {}, { host: '::1' }).files).services.devstral.ports, ['[::1]:8000:8000']);
    assert.throws(() => deploy('compose', 'rtx-4090', {}, { host: 'gpu-box.example' }), (e: DevstralError) => e.code === 'usage' && /not a host name/.test(e.message));
  });

  it('passes `docker compose config` where Docker Compose is installed', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'devstral-compose-'));
    for (const f of deploy('compose', '2x-a100-80gb').files) writeFileSync(join(dir, f.path), f.content);
    // llama.cpp on a CPU (`-fa on`) and Ollama (a shell script with $ in it) too.
    const others = [deploy('compose', 'cpu-only-16gb'), deploy('compose', 'rtx-4090', { runtime: 'ollama' }, { keyless: true })].map(({ files }) => {
      const other = mkdtempSync(join(tmpdir(), 'devstral-compose-'));
      for (const f of files) writeFileSync(join(other, f.path), f.content);
      return join(other, 'compose.yaml');
    });
    const candidates: [string, string[]][] = [['docker', ['compose']], ['docker-compose', []]];
    for (const [cmd, pre] of candidates) {
      const present = spawnSync(cmd, [...pre, 'version'], { encoding: 'utf8' });
      if (present.error || present.status !== 0) continue;
      const r = spawnSync(cmd, [...pre, '-f', join(dir, 'compose.yaml'), 'config', '-q'], { encoding: 'utf8', env: { ...process.env, VLLM_API_KEY: 'x' } });
      assert.equal(r.status, 0, r.stderr);
      // Without the required key, Compose refuses and says which.
      const missing = spawnSync(cmd, [...pre, '-f', join(dir, 'compose.yaml'), 'config', '-q'], { encoding: 'utf8', env: { ...process.env, VLLM_API_KEY: '' } });
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr, /set VLLM_API_KEY in \.env/);
      for (const file of others) {
        const other = spawnSync(cmd, [...pre, '-f', file, 'config', '-q'], { encoding: 'utf8', env: { ...process.env, LLAMA_API_KEY: 'x' } });
        assert.equal(other.status, 0, `${file}: ${other.stderr}`);
        assert.equal(other.stderr, '', 'no warning (an unset variable would be one)');
      }
      return;
    }
    t.skip('Docker Compose is not installed here: the compose file was checked by the assertions above only');
  });

  it('refuses what it cannot write: compose across nodes, an API key Ollama cannot check', () => {
    assert.throws(() => deploy('compose', '4x-h100-80gb', { nodes: 2 }, { model: 'devstral-2' }), (e: DevstralError) => e.code === 'usage' && /--target kubernetes/.test(e.hint!));
    assert.throws(() => deploy('compose', 'rtx-4090', { runtime: 'ollama' }), (e: DevstralError) => e.code === 'usage' && /Ollama has no API keys/.test(e.message) && /--runtime llamacpp/.test(e.hint!));
  });

  it('Ollama: its image serves, then pulls and creates the planned model from the Modelfile beside it; healthy once it exists', () => {
    const { plan, files, file } = deploy('compose', 'rtx-4090', { runtime: 'ollama' }, { keyless: true });
    const svc = compose(files).services.devstral;
    assert.match(svc.image, /^ollama\/ollama:\d+\.\d+\.\d+$/);
    assert.deepEqual(svc.entrypoint, ['/bin/sh', '-c']);
    assert.match(svc.command[0], /wait \$\$server/, 'shell variables escaped from Compose interpolation');
    assert.equal(svc.environment.OLLAMA_CONTEXT_LENGTH, String(plan.contextLength));
    assert.ok(svc.volumes.includes('devstral-cache:/root/.ollama') && svc.volumes.includes('./Modelfile:/etc/devstral/Modelfile:ro'));
    const name = `devstral-small-1.1-${Math.round(plan.contextLength / 1024)}k`;
    assert.deepEqual(svc.healthcheck.test, ['CMD', 'ollama', 'show', name]);
    assert.match(file('Modelfile'), new RegExp(`^FROM ${plan.artifact.ollama!.replace(/[.]/g, '\\.')}\nPARAMETER num_ctx ${plan.contextLength}\n`));
    assert.ok(!files.some((f) => f.path === '.env.example'), 'no secrets to fill in');
    assert.match(file('README.md'), new RegExp(`devstral health http://127\\.0\\.0\\.1:11434/v1 --model ${name}`));
  });
});

describe('deploy --target systemd', () => {
  it('ExecStart is the plan\'s command, secrets from an EnvironmentFile, ready once /health answers, restarts on failure', () => {
    const { plan, file } = deploy('systemd', '2x-a100-80gb');
    const unit = file('devstral.service');
    const execStart = /^ExecStart=\/usr\/bin\/env (.*)$/m.exec(unit)![1]!;
    assert.ok(execStart.startsWith('vllm serve mistralai/Devstral-Small-2507 '));
    assert.match(execStart, new RegExp(`--max-model-len ${plan.contextLength} `));
    assert.match(execStart, /--host 127\.0\.0\.1 --port 8000$/);
    assert.match(unit, /^EnvironmentFile=\/etc\/devstral\/devstral\.env$/m, 'a required key: the file must exist');
    assert.match(unit, /^ExecStartPost=.*curl -sf http:\/\/127\.0\.0\.1:8000\/health/m);
    assert.match(unit, /^Restart=on-failure$/m);
    assert.match(unit, /^DynamicUser=yes$/m);
    // A dynamic user's home is a read-only /: vLLM's and Triton's caches go to the state directory.
    assert.match(unit, /^Environment=HOME=\/var\/lib\/devstral$/m);
    assert.match(unit, /^Environment=XDG_CACHE_HOME=\/var\/lib\/devstral\/cache$/m);
    assert.ok(Number(/^TimeoutStartSec=(\d+)$/m.exec(unit)![1]) >= 600);
    // Without its key the server would be open: the unit refuses to start, and says what is missing.
    const check = systemdShell(/^ExecStartPre=(.*)$/m.exec(unit)![1]!);
    const without = spawnSync('/bin/sh', ['-c', check], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    assert.equal(without.status, 1);
    assert.match(without.stderr, /VLLM_API_KEY is not set in \/etc\/devstral\/devstral\.env/);
    assert.equal(spawnSync('/bin/sh', ['-c', check], { env: { PATH: process.env.PATH, VLLM_API_KEY: 'k' } }).status, 0);
  });

  it('polls the address the server listens on; a port below 1024 gets the capability to bind it', () => {
    const { file } = deploy('systemd', 'rtx-4090', {}, { host: '10.1.2.3', port: 80 });
    const unit = file('devstral.service');
    assert.match(unit, /^ExecStartPost=.*curl -sf http:\/\/10\.1\.2\.3:80\/health/m);
    assert.match(unit, /^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    assert.match(file('README.md'), /devstral health http:\/\/10\.1\.2\.3:80\/v1/);
    assert.doesNotMatch(deploy('systemd', 'rtx-4090').file('devstral.service'), /AmbientCapabilities/);
  });

  it('across nodes: a unit per node, HEAD_ADDR from the environment file', () => {
    const { files, file } = deploy('systemd', '4x-h100-80gb', { nodes: 2 }, { model: 'devstral-2' });
    assert.deepEqual(files.map((f) => f.path).sort(), ['README.md', 'devstral-node0.service', 'devstral-node1.service', 'devstral.env.example']);
    assert.match(file('devstral-node0.service'), /--node-rank 0 --master-addr \$\{HEAD_ADDR\}$/m);
    assert.match(file('devstral-node1.service'), /--node-rank 1 --master-addr \$\{HEAD_ADDR\} --headless$/m);
    assert.doesNotMatch(file('devstral-node1.service'), /ExecStartPost/, 'only node 0 serves');
    assert.match(file('devstral.env.example'), /^HEAD_ADDR=$/m);
    assert.match(file('README.md'), /same vLLM version/);
  });

  it('passes `systemd-analyze verify` where systemd is installed', (t) => {
    // vLLM across nodes, llama.cpp, Ollama (its ExecStartPost a longer script).
    const variants = [deploy('systemd', '4x-h100-80gb', { nodes: 2 }, { model: 'devstral-2' }), deploy('systemd', 'rtx-4090'), deploy('systemd', 'rtx-4090', { runtime: 'ollama' }, { keyless: true })];
    for (const { files } of variants) {
      const dir = mkdtempSync(join(tmpdir(), 'devstral-systemd-'));
      const units = files.filter((f) => f.path.endsWith('.service'));
      for (const f of units) writeFileSync(join(dir, f.path), f.content);
      const r = spawnSync('systemd-analyze', ['verify', ...units.map((f) => join(dir, f.path))], { encoding: 'utf8' });
      if (r.error) return t.skip('systemd-analyze is not installed here');
      assert.equal(r.status, 0, r.stderr);
      // Unknown keys only warn: any output is a finding.
      assert.equal(r.stderr.trim(), '');
    }
  });
});

describe('deploy: Ollama and llama.cpp replicas, the scripts run', () => {
  /** A stand-in `ollama` (and `curl`): `serve` runs until killed, `show` finds what `create` made, each call logged. */
  function fakeTools(pullFails = false) {
    const dir = mkdtempSync(join(tmpdir(), 'devstral-fake-ollama-'));
    const ollama = [
      '#!/bin/sh',
      `state=${dir}`,
      'echo "$*" >> $state/log',
      'case "$1" in',
      '  serve) touch $state/serving; trap "rm -f $state/serving; exit 0" TERM; while :; do sleep 0.1; done ;;',
      '  list) [ -f $state/serving ] ;;',
      '  show) [ -f "$state/model-$2" ] ;;',
      `  pull) ${pullFails ? 'echo "pull failed" >&2; exit 1' : 'exit 0'} ;;`,
      '  create) touch "$state/model-$2" ;;',
      'esac',
    ].join('\n');
    writeFileSync(join(dir, 'ollama'), `${ollama}\n`, { mode: 0o755 });
    writeFileSync(join(dir, 'curl'), `#!/bin/sh\n[ -f ${dir}/serving ] || exit 7\n`, { mode: 0o755 });
    const log = () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n') : []);
    return { dir, log, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } };
  }

  /** The shell and the server it started in the background. */
  const stopGroup = (child: ChildProcess) => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  async function until(check: () => boolean) {
    while (!check()) await new Promise((r) => setTimeout(r, 50));
  }

  it('the container script serves, pulls and creates once; a restart serves without pulling; a failed pull stops it', { timeout: 60_000 }, async (t) => {
    const { plan, files } = deploy('kubernetes', 'rtx-4090', { runtime: 'ollama' }, { keyless: true });
    const c = objects(files).Deployment.spec.template.spec.containers[0];
    const name = c.readinessProbe.exec.command[2];
    const started: ChildProcess[] = [];
    t.after(() => started.forEach((child) => stopGroup(child)));
    const start = (tools: ReturnType<typeof fakeTools>) => {
      const child = spawn(c.command[0], [...c.command.slice(1), ...c.args], { env: tools.env, stdio: 'ignore', detached: true });
      started.push(child);
      return child;
    };
    const tools = fakeTools();
    const first = start(tools);
    await until(() => existsSync(join(tools.dir, `model-${name}`)));
    assert.deepEqual(tools.log().filter((l) => !/^(list|show)/.test(l)), ['serve', `pull ${plan.artifact.ollama}`, `create ${name} -f /etc/devstral/Modelfile`]);
    assert.equal(first.exitCode, null, 'the container lives as long as the server');
    // A stop reaches the server through the shell (PID 1 in the container).
    first.kill('SIGTERM');
    await once(first, 'exit');
    await until(() => !existsSync(join(tools.dir, 'serving')));
    start(tools);
    await until(() => tools.log().filter((l) => l === `show ${name}`).length >= 2 && existsSync(join(tools.dir, 'serving')));
    assert.equal(tools.log().filter((l) => l.startsWith('pull')).length, 1, 'the model exists: no pull on restart');

    const failing = fakeTools(true);
    const broken = start(failing);
    const [code] = (await once(broken, 'exit')) as [number];
    assert.equal(code, 1, 'a failed pull fails the container, so it is restarted');
    await until(() => !existsSync(join(failing.dir, 'serving')));
  });

  it('systemd: the unit serves Ollama; ExecStartPost waits for it, then pulls and creates the model (run as systemd would)', { timeout: 60_000 }, async () => {
    const { file } = deploy('systemd', 'rtx-4090', { runtime: 'ollama' }, { keyless: true });
    const unit = file('devstral.service');
    assert.match(unit, /^ExecStart=\/usr\/bin\/env ollama serve$/m);
    assert.match(unit, /^Environment=OLLAMA_MODELS=\/var\/lib\/devstral\/ollama$/m);
    assert.doesNotMatch(unit, /EnvironmentFile/, 'nothing secret to read');
    const script = systemdShell(/^ExecStartPost=(.*)$/m.exec(unit)![1]!);
    const tools = fakeTools();
    const server = spawn('ollama', ['serve'], { env: tools.env, stdio: 'ignore', detached: true });
    const post = spawnSync('/bin/sh', ['-c', script], { env: tools.env, encoding: 'utf8', timeout: 60_000 });
    stopGroup(server);
    assert.equal(post.status, 0, post.stderr);
    assert.deepEqual(tools.log().filter((l) => /^(pull|create)/.test(l)).map((l) => l.split(' ')[0]), ['pull', 'create']);
    assert.match(tools.log().find((l) => l.startsWith('create'))!, /-f \/etc\/devstral\/Modelfile$/);
  });

  it('Kubernetes with Ollama: the Modelfile from a ConfigMap, readiness once the model exists; replicas get a volume each', () => {
    const { files } = deploy('kubernetes', 'rtx-4090', { runtime: 'ollama' }, { keyless: true, replicas: 2 });
    const { StatefulSet: set, ConfigMap: map } = objects(files);
    assert.ok(!files.some((f) => f.path === 'pvc.yaml'), 'no shared volume');
    assert.equal(set.spec.replicas, 2);
    assert.deepEqual(set.spec.volumeClaimTemplates[0].spec.accessModes, ['ReadWriteOnce']);
    const pod = set.spec.template.spec;
    assert.equal(pod.volumes.find((v: any) => v.name === 'modelfile').configMap.name, map.metadata.name);
    assert.match(map.data.Modelfile, /^PARAMETER num_ctx \d+$/m);
    assert.equal(pod.containers[0].startupProbe.httpGet.path, '/api/version');
    assert.equal(pod.containers[0].readinessProbe.exec.command[1], 'show');
    assert.match(files.find((f) => f.path === 'README.md')!.content, /StatefulSet of 2 pods[\s\S]*kubectl delete pvc -l app\.kubernetes\.io\/name=devstral/);
    // llama.cpp has no download lock either; vLLM's shared volume stays a Deployment (see above).
    assert.ok(objects(deploy('kubernetes', 'rtx-4090', {}, { replicas: 2 }).files).StatefulSet);
    assert.throws(() => deploy('kserve', 'rtx-4090', {}, { replicas: 2 }), (e: DevstralError) => e.code === 'usage' && /StatefulSet/.test(e.hint!));
  });
});

describe('devstral deploy (the CLI)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'deploy', ...args], { encoding: 'utf8' });

  it('writes the files and a README; a second run with other settings needs --force', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'devstral-deploy-')), 'k8s');
    const first = run('--target', 'kubernetes', '--hardware', '2x-a100-80gb', '--out', out, '--require-api-key', '--json');
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout).files, ['deployment.yaml', 'service.yaml', 'pvc.yaml', 'README.md']);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    assert.match(readme, /kubectl apply -f \./);
    assert.match(readme, /devstral health http:\/\/127\.0\.0\.1:8000\/v1 --model devstral-small-1.1 --api-key/);
    assert.match(readme, /devstral bench http:\/\/127\.0\.0\.1:8000\/v1/);
    assert.equal(run('--target', 'kubernetes', '--hardware', '2x-a100-80gb', '--out', out, '--require-api-key').status, 0, 'the same files again');
    const other = run('--target', 'kubernetes', '--hardware', '2x-a100-80gb', '--out', out, '--port', '9000');
    assert.equal(other.status, 2);
    assert.match(other.stderr, /already has deployment\.yaml.*--force/s);
    assert.equal(run('--target', 'kubernetes', '--hardware', '2x-a100-80gb', '--out', out, '--port', '9000', '--force').status, 0);
    // A deploy that writes other objects: --force removes the earlier ones, so `kubectl apply -f .` applies only these.
    assert.equal(run('--target', 'kubernetes', '--hardware', 'rtx-4090', '--replicas', '2', '--out', out).status, 2);
    assert.equal(run('--target', 'kubernetes', '--hardware', 'rtx-4090', '--replicas', '2', '--out', out, '--force').status, 0);
    assert.deepEqual(readdirSync(out).filter((f) => !f.startsWith('.')).sort(), ['README.md', 'service.yaml', 'statefulset.yaml']);
  });

  it('a GGUF on this machine: compose mounts it by its absolute path, systemd runs it there, a cluster refuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devstral-deploy-gguf-'));
    await writeTinyGguf(join(dir, 'tiny.gguf'));
    const inDir = (...args: string[]) => spawnSync(process.execPath, [bin, 'deploy', '--model', 'tiny.gguf', '--hardware', 'cpu-only-64gb', ...args], { cwd: dir, encoding: 'utf8' });
    assert.equal(inDir('--target', 'compose', '--out', 'c').status, 0);
    const svc = (parse(readFileSync(join(dir, 'c', 'compose.yaml'), 'utf8')) as any).services.devstral;
    assert.ok(svc.volumes.includes(`${join(dir, 'tiny.gguf')}:/models/tiny.gguf:ro`));
    assert.equal(argAfter(svc.command, '-m'), '/models/tiny.gguf');
    assert.equal(inDir('--target', 'systemd', '--out', 's').status, 0);
    assert.match(readFileSync(join(dir, 's', 'devstral.service'), 'utf8'), new RegExp(`^ExecStart=/usr/bin/env llama-server -m ${join(dir, 'tiny.gguf')} `, 'm'));
    const cluster = inDir('--target', 'kubernetes', '--out', 'k');
    assert.equal(cluster.status, 2);
    assert.match(cluster.stderr, /a file on this machine is not on the cluster/);
    assert.ok(!existsSync(join(dir, 'k')), 'nothing written');
  });

  it('usage errors: no target, an unknown one, too many replicas for one machine, a name Kubernetes refuses, --out a file', () => {
    assert.equal(run('--hardware', 'rtx-4090').status, 2);
    const unknown = run('--target', 'nomad', '--hardware', 'rtx-4090');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /compose, systemd, kubernetes, kserve/);
    const replicas = run('--target', 'compose', '--hardware', '2x-a100-80gb', '--replicas', '4', '--out', mkdtempSync(join(tmpdir(), 'devstral-deploy-')));
    assert.equal(replicas.status, 2);
    assert.match(replicas.stderr, /fewer than one per copy[\s\S]*--replicas 2/);
    const name = run('--target', 'kubernetes', '--hardware', 'rtx-4090', '--name', '1abc');
    assert.equal(name.status, 2);
    assert.match(name.stderr, /--name 1abc: use a lowercase letter/);
    const file = join(mkdtempSync(join(tmpdir(), 'devstral-deploy-')), 'a-file');
    writeFileSync(file, 'x');
    for (const out of [file, join(file, 'sub')]) {
      const r = run('--target', 'compose', '--hardware', 'rtx-4090', '--out', out);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--out .*(is a file|a part of the path is a file)/);
    }
  });
});
