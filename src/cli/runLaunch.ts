/**
 * `devstral launch AGENT`: the running server (or one `up --for AGENT` starts) checked for the agent and handed to
 * it: terminal agents run with the right environment and arguments, their exit code returned; editor and
 * config-file agents get their settings printed, or written with --write. `devstral connect` prints them all.
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { agentSetup } from '../agents/agentSetup.js';
import type { AgentSetup, ServerInfo, SetupPaths } from '../agents/setupShapes.js';
import { AGENTS, findAgent, type AgentSpec } from '../agents/agents.js';
import { agentRefusal, checkForAgent, protocolName } from '../agents/checkForAgent.js';
import { DevstralError } from '../errors.js';
import { readRegistry, stateDir, type ServerRecord } from '../supervise/registry.js';
import type { CommandArgs } from './commandSpec.js';
import { writeOut } from './output.js';

export async function runLaunch(args: CommandArgs): Promise<void> {
  const agent = findAgent(String(args.agent));
  const record = await findServer(args.name === undefined ? undefined : String(args.name), agent, args.yes === true, args.model);
  const server = await describeServer(record);
  const setup = agentSetup(agent, server, setupPaths(record));
  if (args.write && setup.exec) throw new DevstralError('usage', `--write: devstral launch ${agent.id} runs ${agent.name} with these settings and writes none of your files`, { hint: `to see them: devstral launch ${agent.id} --print` });
  if (args.write && setup.cannotWrite) throw new DevstralError('usage', `--write: ${setup.cannotWrite}`, { hint: `the settings to enter: devstral launch ${agent.id}` });
  const check = await checkForAgent(agent, server);
  if (check.problems.length) {
    if (!args.force) throw agentRefusal(agent, check);
    for (const problem of check.problems) process.stderr.write(`warning: ${problem}\n`);
  } else process.stderr.write(`${record.name} is ready for ${agent.name}: ${protocolName(agent)}, a forced tool call, ${server.contextLength} tokens of context (checked in ${check.ms} ms)\n`);
  const { writeAgentFiles } = await import('../agents/writeAgentFiles.js');
  // Our own files (a provider definition the command line points at) are written whatever happens next.
  await writeAgentFiles(setup.files.filter((f) => f.owner === 'devstral'));
  if (args.print || !setup.exec) {
    writeOut(renderSetup(setup));
    if (args.write) for (const line of await writeAgentFiles(setup.files.filter((f) => f.owner === 'user'))) process.stderr.write(`${line}\n`);
    return;
  }
  process.exitCode = await runAgent(setup, (args.passthrough as string[] | undefined) ?? []);
}

export async function runConnect(args: CommandArgs): Promise<void> {
  const record = await findServer(args.name === undefined ? undefined : String(args.name), undefined, false);
  const server = await describeServer(record);
  const setups = AGENTS.map((agent) => agentSetup(agent, server, setupPaths(record)));
  const { writeAgentFiles } = await import('../agents/writeAgentFiles.js');
  await writeAgentFiles(setups.flatMap((s) => s.files.filter((f) => f.owner === 'devstral')));
  if (args.json) {
    const agents = setups.map((s) => ({
      id: s.agent.id,
      name: s.agent.name,
      protocol: s.agent.protocol,
      ...(s.exec ? { exec: s.exec } : {}),
      files: s.files.map(({ merge: _, ...file }) => file),
      text: s.text,
    }));
    writeOut(JSON.stringify({ server: { name: record.name, ...server }, agents }, null, 2));
    return;
  }
  writeOut([`${record.name}: ${server.baseUrl}  ·  ${server.model}  ·  context ${server.contextLength}`, ...setups.map(renderSetup)].join('\n\n'));
}

/** Our own agent files go beside the server's record, one folder per server. */
function setupPaths(record: ServerRecord): SetupPaths {
  return { ownDir: join(stateDir(), 'agents', record.name), home: homedir() };
}

function renderSetup(setup: AgentSetup): string {
  const how = setup.exec ? `: devstral launch ${setup.agent.id} runs` : ' settings:';
  const lines = [`${setup.agent.name} (${protocolName(setup.agent)})${how}`, ...setup.text.split('\n').map((l) => `  ${l}`)];
  for (const file of setup.files) if (file.owner === 'user') lines.push(`  devstral launch ${setup.agent.id} --write puts this into ${file.path} (a backup of it first)`);
  return lines.join('\n');
}

/** The server to hand over: --name, the only one running, or (asked, or --yes) one that `up --for AGENT` starts. */
async function findServer(name: string | undefined, agent: AgentSpec | undefined, yes: boolean, model?: unknown): Promise<ServerRecord> {
  const running = await readRegistry();
  if (name !== undefined) {
    const found = running.find((r) => r.name === name);
    if (!found) throw new DevstralError('usage', `no server named ${name} is running`, { hint: running.length ? `running: ${running.map((r) => r.name).join(', ')}` : 'start one: devstral up' });
    return found;
  }
  if (running.length === 1) return running[0]!;
  if (running.length > 1) throw new DevstralError('usage', `${running.length} servers are running: ${running.map((r) => r.name).join(', ')}`, { hint: 'choose one with --name' });
  if (!agent) throw new DevstralError('unreachable', 'no server is running', { hint: 'start one: devstral up (devstral up --for AGENT plans the context an agent needs)' });
  if (!yes) {
    if (!process.stdin.isTTY || !process.stderr.isTTY) throw new DevstralError('usage', 'no server is running', { hint: `start one planned for ${agent.name}: devstral up --for ${agent.id} --detach (or add --yes here)` });
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`No server is running. Start one planned for ${agent.name} (devstral up --for ${agent.id} --detach)? [y/N] `).finally(() => rl.close());
    if (!/^y(es)?$/i.test(answer.trim())) throw new DevstralError('usage', 'no server is running, and none was started', { hint: `devstral up --for ${agent.id}` });
  }
  const { runUp } = await import('./runUp.js');
  await runUp({ for: agent.id, detach: true, yes: true, name: 'devstral', port: 'auto', ...(model === undefined ? {} : { model }) });
  const started = (await readRegistry()).find((r) => r.name === 'devstral');
  if (!started) throw new DevstralError('server', 'devstral up did not leave a server running');
  return started;
}

/** The served model and its context, from the server itself (the registry does not keep the context). */
async function describeServer(record: ServerRecord): Promise<ServerInfo> {
  const headers = record.apiKey ? { authorization: `Bearer ${record.apiKey}` } : undefined;
  const models = await fetch(`${record.baseUrl}/models`, { ...(headers ? { headers } : {}), signal: AbortSignal.timeout(5000) })
    .then(async (r) => (r.ok ? ((await r.json()) as { data?: { id: string; context_length?: number; max_model_len?: number }[] }) : undefined))
    .catch(() => undefined);
  const card = models?.data?.find((m) => m.id === record.servedModel) ?? models?.data?.[0];
  if (!card) throw new DevstralError('unreachable', `${record.name} (${record.baseUrl}) does not answer /v1/models`, { hint: `devstral health ${record.baseUrl} says more; devstral logs ${record.name}` });
  const contextLength = card.context_length ?? card.max_model_len;
  if (!contextLength) throw new DevstralError('unhealthy', `${record.name} does not say its context length`, { hint: 'devstral launch needs it to size the agent' });
  return { baseUrl: record.baseUrl, model: card.id, contextLength, ...(record.apiKey ? { apiKey: record.apiKey } : {}) };
}

/** Runs the agent in this terminal; its exit code is ours. */
async function runAgent(setup: AgentSetup, passthrough: string[]): Promise<number> {
  const exec = setup.exec!;
  const env: Record<string, string | undefined> = { ...process.env, ...exec.env };
  for (const name of exec.unset) delete env[name];
  const child = spawn(exec.command, [...exec.args, ...passthrough], { stdio: 'inherit', env });
  // The agent owns the terminal: Ctrl-C goes to it, not to us.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new DevstralError('runtimeMissing', `${exec.command} (${setup.agent.name}) is not installed`, { hint: setup.agent.install ?? `install ${setup.agent.name}` })
            : error,
        ),
      );
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
    });
  } finally {
    process.off('SIGINT', ignore);
  }
}
