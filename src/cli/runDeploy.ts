/**
 * `devstral deploy --target T`: the plan (as `command` makes it), turned into files by deploy/ and written into --out
 * atomically; files of an earlier deploy are replaced only with --force.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DeployFile } from '../deploy/deployFile.js';
import { DEPLOY_TARGETS, deployFiles, type DeployTarget } from '../deploy/deployFiles.js';
import { DevstralError } from '../errors.js';
import { validTensorParallelSizes } from '../plan/fitVllm.js';
import { resolveServeOptions } from '../runtimes/buildLaunchCommand.js';
import type { CommandArgs } from './commandSpec.js';
import { loadPlan } from './loadPlan.js';
import { writeOut } from './output.js';
import { parsePositiveInt } from './parseOptions.js';

export async function runDeploy(args: CommandArgs): Promise<void> {
  const target = String(args.target ?? '').toLowerCase();
  if (!(DEPLOY_TARGETS as readonly string[]).includes(target)) {
    throw new DevstralError('usage', args.target === undefined ? '--target is required' : `--target ${String(args.target)}: unknown target`, { hint: `use one of ${DEPLOY_TARGETS.join(', ')}` });
  }
  const name = String(args.name ?? 'devstral');
  // A Service name (DNS-1035): a letter first, then letters, digits and dashes.
  if (!/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/.test(name)) throw new DevstralError('usage', `--name ${name}: use a lowercase letter, then lowercase letters, digits and dashes, at most 42 (a Kubernetes name)`);
  const storageClass = args.storageClass === undefined ? undefined : String(args.storageClass);
  if (storageClass !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(storageClass)) throw new DevstralError('usage', `--storage-class ${storageClass}: not a storage class name`, { hint: 'kubectl get storageclass lists them' });
  const replicas = parsePositiveInt('replicas', args.replicas, 64) ?? 1;
  // Only whether a key is required reaches the plan; its value is set where the deployment reads secrets.
  // A model file on this machine is named by its absolute path: the unit or the container's mount is not run from here.
  const modelFile = typeof args.model === 'string' && /\.gguf$/i.test(args.model) && !args.model.startsWith('hf:') ? resolve(args.model) : undefined;
  const planArgs = { ...args, ...(modelFile ? { model: modelFile } : {}), apiKey: args.requireApiKey ? 'required' : undefined };
  let loaded = await loadPlan(planArgs, { elsewhere: true });
  let dataParallel = 1;
  const oneMachine = target === 'compose' || target === 'systemd';
  if (replicas > 1 && oneMachine) {
    // One machine runs one server: replicas are vLLM's data-parallel copies, each on a share of the GPUs.
    if (loaded.plan.runtime !== 'vllm') throw new DevstralError('usage', `--replicas ${replicas} on one machine: ${loaded.plan.runtime === 'ollama' ? 'Ollama' : 'llama.cpp'} serves parallel requests in one server`, { hint: 'one replica per machine here, or --target kubernetes for several' });
    if (loaded.plan.nodes > 1) throw new DevstralError('usage', '--replicas with --nodes: several multi-node copies', { hint: 'use --target kubernetes (LeaderWorkerSet replicas)' });
    const perCopy = validTensorParallelSizes(loaded.model, Math.floor(loaded.plan.gpus.length / replicas)).pop();
    if (!perCopy) throw new DevstralError('usage', `--replicas ${replicas}: this machine has ${loaded.plan.gpus.length} GPU(s) for the model, fewer than one per copy`, { hint: `at most --replicas ${loaded.plan.gpus.length}` });
    loaded = await loadPlan({ ...planArgs, tp: String(perCopy) }, { elsewhere: true }).catch((error: unknown) => {
      throw error instanceof DevstralError && error.code === 'noPlan'
        ? new DevstralError('noPlan', `--replicas ${replicas}: one copy does not fit on ${perCopy} GPU(s)`, { details: error.details, hint: 'fewer --replicas' })
        : error;
    });
    dataParallel = replicas;
  }
  const { plan, model, facts, serve } = loaded;
  const files = deployFiles({ target: target as DeployTarget, plan, model, facts, serve: resolveServeOptions(plan, facts, serve), name, replicas, dataParallel, ...(storageClass ? { storageClass } : {}) });
  const out = resolve(String(args.out ?? `devstral-${target}`));
  await writeDeployment(out, files, args.force === true);
  if (args.json) {
    writeOut(JSON.stringify({ target, out, files: files.map((f) => f.path), runtime: plan.runtime, replicas, dataParallel, nodes: plan.nodes }, null, 2));
    return;
  }
  writeOut([`Wrote ${files.length} files to ${out}:`, ...files.map((f) => `  ${f.path}`), `Next: ${join(out, 'README.md')} (apply, check with devstral health and bench, remove)`].join('\n'));
}

/**
 * What the last deploy into a folder wrote (a path a line), so --force removes what the new one no longer has. No
 * .json or .yaml extension: `kubectl apply -f .` reads those.
 */
const MANIFEST = '.devstral-deploy';

async function writeDeployment(out: string, files: DeployFile[], force: boolean): Promise<void> {
  const kind = await stat(out).catch(() => undefined);
  if (kind && !kind.isDirectory()) throw new DevstralError('usage', `--out ${out} is a file`, { hint: 'give a folder (it is created if missing)' });
  const earlier = ((await readFile(join(out, MANIFEST), 'utf8').catch(() => '')) as string).split('\n').filter((p) => p && !p.includes('/'));
  const differs = async (f: DeployFile) => ((await readFile(join(out, f.path), 'utf8').catch(() => undefined)) ?? f.content) !== f.content;
  const changed = (await Promise.all(files.map(async (f) => ((await differs(f)) ? f.path : undefined)))).filter(Boolean);
  const stale = earlier.filter((p) => !files.some((f) => f.path === p));
  if ((changed.length || stale.length) && !force) {
    throw new DevstralError('usage', `${out} already has ${[...changed, ...stale].join(', ')} from another deploy`, { hint: 'choose another --out, or --force to replace them' });
  }
  await mkdir(out, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new DevstralError('usage', `--out ${out}: ${error.code === 'ENOTDIR' ? 'a part of the path is a file' : error.message}`, { hint: 'give a folder (it is created if missing)' });
  });
  for (const f of [...files, { path: MANIFEST, content: `${files.map((f) => f.path).join('\n')}\n` }]) {
    const temp = join(out, `.${f.path}.${process.pid}.tmp`);
    await writeFile(temp, f.content, { mode: f.path.endsWith('.env') || f.path.endsWith('.env.example') ? 0o600 : 0o644 });
    await rename(temp, join(out, f.path));
  }
  // Objects of the earlier deploy that this one replaces (a Deployment by a StatefulSet, one unit by a unit per node).
  await Promise.all(stale.map((p) => rm(join(out, p), { force: true })));
}
