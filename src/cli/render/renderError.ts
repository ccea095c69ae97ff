import { DevstralError } from '../../errors.js';

/** "error: what went wrong", the details, and "hint: what to do"; a stack only with --debug. */
export function renderError(error: unknown, debug: boolean): string {
  if (error instanceof DevstralError) {
    const lines = [`error: ${error.message}`, ...error.details.map((d) => `  - ${d}`)];
    if (error.hint) lines.push(`hint: ${error.hint}`);
    if (debug && error.stack) lines.push(error.stack);
    return `${lines.join('\n')}\n`;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  return `error: ${err.message}\n${debug ? `${err.stack}\n` : 'hint: this is a bug in devstral; run again with --debug and report the output\n'}`;
}
