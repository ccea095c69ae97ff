#!/usr/bin/env node
/**
 * The devstral CLI. The only place that exits. Commands load their heavy modules lazily, so `--help`
 * and `plan --json` stay fast.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DevstralError } from '../errors.js';
import { packageInfo } from '../packageInfo.js';
import { commandCommand } from './commands/commandCommand.js';
import { detectCommand } from './commands/detectCommand.js';
import { planCommand } from './commands/planCommand.js';
import { profilesCommand } from './commands/profilesCommand.js';
import { renderError } from './render/renderError.js';

const argv = hideBin(process.argv);
const json = argv.includes('--json');
const debug = argv.includes('--debug');

function fail(error: unknown): never {
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
  await yargs(argv)
    .scriptName('devstral')
    .usage('$0 <command> [options]\n\nRun Devstral Small 1.1 locally: detect the hardware, plan the runtime, print the launch command.')
    .command(detectCommand)
    .command(planCommand)
    .command(commandCommand)
    .command(profilesCommand)
    .option('debug', { type: 'boolean', describe: 'Show stack traces' })
    .demandCommand(1, 'Choose a command.')
    .strict()
    .recommendCommands()
    .version(packageInfo.version)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, error) => {
      throw error ?? new DevstralError('usage', message, { hint: 'see `devstral --help`' });
    })
    .parseAsync();
} catch (error) {
  fail(error);
}
