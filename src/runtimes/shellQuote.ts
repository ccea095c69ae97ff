/** POSIX shell quoting that round-trips any value. Pure. */
const SAFE = /^[\w@%+=:,./-]+$/;

export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * `expand` lists words of our own that must expand on the box the command is pasted on ("$HOME/...", "$HEAD_ADDR");
 * everything else is quoted literally.
 */
export function renderShellCommand(argv: string[], env: Record<string, string> = {}, expand: readonly string[] = []): string {
  const word = (arg: string) => (expand.includes(arg) && /^\$[A-Z_]+[\w@%+=:,./-]*$/.test(arg) ? `"${arg}"` : shellQuote(arg));
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...assignments, ...argv.map(word)].join(' ');
}
