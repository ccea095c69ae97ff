/**
 * Download speed against references measured in the same run, with the fake hub in its own process:
 *  (a) a 2 GiB file unthrottled: `devstral pull` (8 connections, sha256 while downloading) vs curl (and, for
 *      context, curl + sha256sum and curl writing to /dev/null);
 *  (b) every connection throttled to a fixed rate: devstral vs the ideal, connections x rate.
 * Prints both ratios (targets: >= 0.9 each).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'dist/cli/main.js');
const GiB = 1024 ** 3;

async function startHub(size: number, rate?: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench-hub-server.ts'), String(size), ...(rate ? [String(rate)] : [])], { stdio: ['pipe', 'pipe', 'inherit'], cwd: root });
  const line = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
  return { ...(JSON.parse(line) as { url: string; blobUrl: string }), stop: () => child.stdin.end() };
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  // Every run starts with no dirty pages: the previous run's 2 GiB of writeback would throttle the next writer.
  spawnSync('sync');
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function devstralPull(url: string, connections: number): number {
  const cache = mkdtempSync(join(tmpdir(), 'bench-pull-'));
  try {
    return timed(process.execPath, [bin, 'pull', 'hf:bench/model/weights.bin', '--json', '--connections', String(connections)], { ...process.env, HF_ENDPOINT: url, HF_HUB_CACHE: cache, HF_TOKEN: '' });
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

/**
 * curl alone, curl followed by sha256sum (what a verified download costs without hashing on the fly), or curl
 * writing nowhere (the transfer alone: a bound no download that keeps the file reaches).
 */
function curlGet(blobUrl: string, mode: 'file' | 'verify' | 'null'): number {
  const dir = mkdtempSync(join(tmpdir(), 'bench-curl-'));
  const file = join(dir, 'weights.bin');
  try {
    if (mode === 'null') return timed('curl', ['-sSf', '-o', '/dev/null', blobUrl]);
    return mode === 'verify' ? timed('sh', ['-c', 'curl -sSf -o "$1" "$2" && sha256sum "$1" >/dev/null', 'sh', file, blobUrl]) : timed('curl', ['-sSf', '-o', file, blobUrl]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const runs = Number(process.env.BENCH_RUNS ?? 3);
const mbps = (bytes: number, s: number) => `${(bytes / s / 1e6).toFixed(0)} MB/s`;

// (a) unthrottled, interleaved so machine load hits both alike
{
  const size = Number(process.env.BENCH_SIZE ?? 2 * GiB);
  const hub = await startHub(size);
  const ours: number[] = [];
  const curl: number[] = [];
  const curlVerified: number[] = [];
  const curlNull: number[] = [];
  for (let i = 0; i < runs; i++) {
    curl.push(curlGet(hub.blobUrl, 'file'));
    curlVerified.push(curlGet(hub.blobUrl, 'verify'));
    curlNull.push(curlGet(hub.blobUrl, 'null'));
    ours.push(devstralPull(hub.url, 8));
  }
  hub.stop();
  const [o, c, v, n] = [median(ours), median(curl), median(curlVerified), median(curlNull)];
  console.log(`(a) ${(size / GiB).toFixed(1)} GiB unthrottled, median of ${runs}`);
  console.log(`    curl (reference)                 ${c.toFixed(2)} s  ${mbps(size, c)}`);
  console.log(`    curl, then sha256sum             ${v.toFixed(2)} s  ${mbps(size, v)}`);
  console.log(`    curl -o /dev/null (no file)      ${n.toFixed(2)} s  ${mbps(size, n)}`);
  console.log(`    devstral pull (sha256 on the fly) ${o.toFixed(2)} s  ${mbps(size, o)}`);
  console.log(`    ratio devstral/curl speed: ${(c / o).toFixed(2)}; devstral/(curl + sha256sum): ${(v / o).toFixed(2)}; devstral/(curl to /dev/null): ${(n / o).toFixed(2)}`);
}

// (b) each connection limited to a fixed rate: parallel connections should add up
{
  const rate = Number(process.env.BENCH_RATE ?? 16 * 1024 ** 2);
  const connections = 8;
  const size = Number(process.env.BENCH_THROTTLED_SIZE ?? 512 * 1024 ** 2);
  const hub = await startHub(size, rate);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(devstralPull(hub.url, connections));
  hub.stop();
  const t = median(times);
  const ideal = size / (rate * connections);
  console.log(`(b) ${(size / 1024 ** 2).toFixed(0)} MiB, each connection limited to ${(rate / 1024 ** 2).toFixed(0)} MiB/s, ${connections} connections, median of ${runs}`);
  console.log(`    ideal (connections x rate) ${ideal.toFixed(2)} s  ${mbps(size, ideal)}`);
  console.log(`    devstral pull              ${t.toFixed(2)} s  ${mbps(size, t)}`);
  console.log(`    ratio devstral/ideal speed: ${(ideal / t).toFixed(2)}`);
}
