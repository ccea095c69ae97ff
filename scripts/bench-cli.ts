/**
 * Start-up cost of the CLI against bare node, measured in the same run: `node -e 0` (reference),
 * `devstral --version`, `devstral --help` and `devstral plan --json --hardware rtx-4090`.
 * Runs are interleaved so load on the machine hits all of them alike; prints medians and ratios.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(bin)) {
  console.error('dist/cli/main.js is missing: run `npm run build` first');
  process.exit(1);
}
const runs = Number(process.env.BENCH_RUNS ?? 15);
const cases: [string, string[]][] = [
  ['node -e 0 (reference)', ['-e', '0']],
  ['devstral --version', [bin, '--version']],
  ['devstral --help', [bin, '--help']],
  ['devstral plan --json --hardware rtx-4090', [bin, 'plan', '--json', '--hardware', 'rtx-4090']],
  ['devstral command --hardware 2x-a100-80gb', [bin, 'command', '--hardware', '2x-a100-80gb']],
  // Detection runs child processes and probes (nvidia-smi, vllm, ollama, disk): shown for reference.
  ['devstral plan --json (detects this machine)', [bin, 'plan', '--json']],
];
const times = cases.map(() => [] as number[]);
for (let r = 0; r < runs; r++) {
  cases.forEach(([name, args], i) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (result.status !== 0 && result.status !== 4) throw new Error(`${name} failed: ${result.stderr}`);
    times[i]!.push(Number(process.hrtime.bigint() - start) / 1e6);
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const reference = median(times[0]!);
console.log(`${runs} interleaved runs each, median wall time\n`);
cases.forEach(([name], i) => {
  const m = median(times[i]!);
  console.log(`${name.padEnd(45)} ${m.toFixed(1).padStart(7)} ms   ${(m / reference).toFixed(2)}x`);
});
