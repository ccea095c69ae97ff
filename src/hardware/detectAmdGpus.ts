import type { DetectDeps, ProbeFs, ProbeResult } from './detectDeps.js';
import type { Gpu, ProbeNote } from './hardwareFacts.js';
import { parseAmdSysfs, parseRocmSmi, type AmdSysfsCard } from './parseRocmSmi.js';
import { firstLine, probeNote } from './probeNote.js';

const PROBE = 'rocm-smi';
const DRM = '/sys/class/drm';

/**
 * AMD GPUs on Linux: rocm-smi when installed, else amdgpu's sysfs files (present with the kernel driver alone).
 * No AMD GPU and no rocm-smi is the normal case on other machines, so it leaves no note.
 */
export async function detectAmdGpus(deps: Pick<DetectDeps, 'exec' | 'env' | 'timeoutMs' | 'platform' | 'fs'>): Promise<ProbeResult<{ gpus: Gpu[] }>> {
  if (deps.platform !== 'linux') return { gpus: [], notes: [] };
  const notes: ProbeNote[] = [];
  const outcome = await deps.exec('rocm-smi', ['--showproductname', '--showmeminfo', 'vram', '--json'], { timeoutMs: deps.timeoutMs, env: deps.env });
  if (outcome.kind === 'exited' && outcome.exitCode === 0) {
    const parsed = parseRocmSmi(outcome.stdout);
    notes.push(...parsed.problems.map((p) => probeNote(PROBE, 'failed', p)));
    if (parsed.gpus.length > 0) return { gpus: parsed.gpus, notes };
  } else if (outcome.kind === 'exited') {
    notes.push(probeNote(PROBE, 'failed', `rocm-smi exited ${outcome.exitCode}: ${firstLine(outcome.stderr + outcome.stdout)}`));
  } else if (outcome.kind !== 'missing') {
    notes.push(probeNote(PROBE, outcome.kind, outcome.reason));
  }
  const gpus = parseAmdSysfs(await readDrmCards(deps.fs));
  return { gpus, notes };
}

async function readDrmCards(fs: ProbeFs): Promise<AmdSysfsCard[]> {
  const entries = await fs.readdir(DRM).catch(() => [] as string[]);
  const read = (path: string) => fs.readFile(path).then((s) => s.trim(), () => undefined);
  const cards = entries.filter((e) => /^card\d+$/.test(e));
  return Promise.all(
    cards.map(async (card) => {
      const dir = `${DRM}/${card}/device`;
      const [vendor, vramTotalBytes, vramUsedBytes, deviceId, productName] = await Promise.all([
        read(`${dir}/vendor`),
        read(`${dir}/mem_info_vram_total`),
        read(`${dir}/mem_info_vram_used`),
        read(`${dir}/device`),
        read(`${dir}/product_name`),
      ]);
      const entry: AmdSysfsCard = { card, vendor: vendor ?? '' };
      if (vramTotalBytes !== undefined) entry.vramTotalBytes = vramTotalBytes;
      if (vramUsedBytes !== undefined) entry.vramUsedBytes = vramUsedBytes;
      if (deviceId !== undefined) entry.deviceId = deviceId;
      if (productName !== undefined) entry.productName = productName;
      return entry;
    }),
  );
}
