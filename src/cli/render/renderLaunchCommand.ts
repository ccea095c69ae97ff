/** A launch command as lines a user can paste into a POSIX shell. Pure. */
import type { LaunchCommand } from '../../planShapes.js';
import { renderShellCommand } from '../../runtimes/shellQuote.js';

export function renderLaunchCommand(command: LaunchCommand): string {
  const lines: string[] = [];
  for (const file of command.files ?? []) {
    lines.push(`cat > ${file.path} <<'EOF'`, ...file.content.replace(/\n$/, '').split('\n'), 'EOF');
  }
  if (command.argv.length === 0) {
    lines.push('# the server already runs: only the model is set up');
  } else if (command.setup?.length) {
    lines.push(`${renderShellCommand(command.argv, command.env)} &`);
    if (command.readyUrl) lines.push(`until curl -sf ${renderShellCommand([command.readyUrl])} >/dev/null; do sleep 1; done`);
  } else {
    lines.push(renderShellCommand(command.argv, command.env));
  }
  lines.push(...(command.setup ?? []).map((step) => renderShellCommand(step.argv, step.env)));
  return lines.join('\n');
}
