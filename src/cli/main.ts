#!/usr/bin/env node
/**
 * The devstral CLI, and the only place that exits. The common case is parsed without loading yargs, and
 * commands import their heavy modules lazily, so `plan --json` starts almost as fast as bare node.
 */
import { DevstralError } from '../errors.js';
import { packageInfo } from '../packageInfo.js';
import { benchCommand } from './commands/benchCommand.js';
import { commandCommand } from './commands/commandCommand.js';
import { connectCommand } from './commands/connectCommand.js';
import { gatewayCommand } from './commands/gatewayCommand.js';
import { deployCommand } from './commands/deployCommand.js';
import { detectCommand } from './commands/detectCommand.js';
import { healthCommand } from './commands/healthCommand.js';
import { launchCommand } from './commands/launchCommand.js';
import { downCommand } from './commands/downCommand.js';
import { logsCommand } from './commands/logsCommand.js';
import { planCommand } from './commands/planCommand.js';
import { profilesCommand } from './commands/profilesCommand.js';
import { pullCommand } from './commands/pullCommand.js';
import { serveCommand } from './commands/serveCommand.js';
import { statusCommand } from './commands/statusCommand.js';
import { upCommand } from './commands/upCommand.js';
import { parseFast } from './parseFast.js';
import { renderError } from './render/renderError.js';

// Everything after `--` belongs to another program (gateway's backend command, launch's agent arguments).
const dash = process.argv.indexOf('--', 2);
const argv = process.argv.slice(2, dash < 0 ? undefined : dash);
const passthrough = dash < 0 ? undefined : process.argv.slice(dash + 1);
const json = argv.includes('--json');
const debug = argv.includes('--debug');
const commands = [upCommand, launchCommand, connectCommand, detectCommand, planCommand, commandCommand, deployCommand, pullCommand, serveCommand, gatewayCommand, healthCommand, statusCommand, logsCommand, downCommand, benchCommand, profilesCommand];

function fail(error: unknown): never {
  if (error instanceof DevstralError && error.reported && !debug) process.exit(error.exitCode);
  process.stderr.write(renderError(error, debug));
  if (json && error instanceof DevstralError) {
    process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, hint: error.hint, details: error.details } })}\n`);
  }
  process.exit(error instanceof DevstralError ? error.exitCode : 1);
}

// Output to a pipe that closes early (`devstral plan | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${packageInfo.version}\n`);
  } else {
    // A group's unknown subcommand: name the ones there are (yargs would guess one).
    const group = commands.find((c) => 'subcommands' in c && c.name === argv[0]);
    if (group && 'subcommands' in group && argv[1] !== undefined && !argv[1].startsWith('-') && !group.subcommands.some((s) => s.name === argv[1])) {
      throw new DevstralError('usage', `unknown command "${group.name} ${argv[1]}"`, { hint: `use one of: ${group.subcommands.map((s) => `${group.name} ${s.name}`).join(', ')}` });
    }
    const fast = parseFast(argv, commands.flatMap((c) => ('subcommands' in c ? [] : [c])));
    if (fast) {
      await fast.spec.run({ ...fast.args, ...(passthrough ? { passthrough } : {}) });
    } else {
      const [{ default: yargs }, { buildYargs }] = await Promise.all([import('yargs'), import('./buildYargs.js')]);
      await buildYargs(yargs(argv), commands, packageInfo.version, passthrough).parseAsync();
    }
  }
} catch (error) {
  fail(error);
}
