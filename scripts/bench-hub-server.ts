/** A fake Hugging Face hub in its own process for bench:download: prints its URL, serves until stdin closes. */
import { patternGenerator, randomSha, startFakeHfServer } from '../test/support/fakeHfServer.js';

const size = Number(process.argv[2] ?? 2 * 1024 ** 3);
const rate = process.argv[3] ? Number(process.argv[3]) : undefined;
const main = randomSha();
const hub = await startFakeHfServer({
  repos: { 'bench/model': { revisions: { main }, files: [{ path: 'weights.bin', lfs: true, size, generate: patternGenerator(5) }] } },
  ...(rate ? { rateBytesPerSecPerConnection: rate } : {}),
});
const info = await hub.fileInfo('bench/model', 'weights.bin'); // the sha256 up front, outside the timings
process.stdout.write(`${JSON.stringify({ url: hub.url, sha256: info.sha256, blobUrl: hub.blobUrl(info.sha256) })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void hub.close().then(() => process.exit(0)));
