/** All command output goes through here, so a closed pipe (`| head`) never crashes the CLI. */
export function writeOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
