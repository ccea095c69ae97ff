/** POSIX shell quoting that round-trips any value. Pure. */
const SAFE = /^[\w@%+=:,./-]+$/;

export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  // A leading $HOME must expand on the box the command is pasted on (docker volume mounts).
  const home = /^\$HOME(\/[\w@%+=:,./-]*)?$/.exec(arg);
  if (home) return `"${arg}"`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function renderShellCommand(argv: string[], env: Record<string, string> = {}): string {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...assignments, ...argv.map(shellQuote)].join(' ');
}
