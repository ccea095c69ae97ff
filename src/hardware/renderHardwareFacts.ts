import type { Gpu, HardwareFacts, ProbeNote, RuntimeFacts } from './hardwareFacts.js';

type Align = 'left' | 'right';

/** `devstral detect` as plain aligned text (no colours): machine, GPUs, runtimes, and what could not be probed. */
export function renderHardwareFacts(facts: HardwareFacts): string {
  const notes = facts.probes ?? [];
  const sections: string[][] = [];

  const machine: string[][] = [];
  if (facts.id !== undefined || facts.description !== undefined) {
    machine.push(['Profile', [facts.id, facts.description].filter((s) => s !== undefined).join(': ')]);
  }
  machine.push(['OS', `${facts.os} ${facts.arch}`]);
  const perf = facts.cpu.performanceCores !== undefined ? ` (${facts.cpu.performanceCores} performance)` : '';
  machine.push(['CPU', `${facts.cpu.model}, ${plural(facts.cpu.cores, 'core')}${perf}`]);
  const available = facts.memory.availableMiB !== undefined ? `, ${gib(facts.memory.availableMiB)} available` : '';
  machine.push(['RAM', `${gib(facts.memory.totalMiB)} total${available}`]);
  if (facts.cuda) {
    const driver = facts.cuda.driverVersion !== undefined ? `driver ${facts.cuda.driverVersion}` : undefined;
    machine.push(['CUDA', facts.cuda.version !== undefined ? `${facts.cuda.version}${driver ? ` (${driver})` : ''}` : (driver ?? 'unknown')]);
  }
  machine.push(['Disk', facts.disk ? `${gib(facts.disk.freeMiB)} free${facts.disk.path !== undefined ? ` at ${facts.disk.path}` : ''}` : 'unknown']);
  sections.push(['Machine', ...table(machine, ['left', 'left'])]);

  sections.push(['GPUs', ...(facts.gpus.length === 0 ? ['  none found'] : gpuTable(facts.gpus))]);
  sections.push(['Runtimes', ...table(runtimeRows(facts.runtimes, notes), ['left', 'left'])]);
  if (notes.length > 0) sections.push(['Probe notes', ...table(notes.map((n) => [n.probe, n.status, n.reason]), ['left', 'left', 'left'])]);
  return sections.map((s) => s.join('\n')).join('\n\n');
}

function gpuTable(gpus: readonly Gpu[]): string[] {
  const unified = gpus.some((g) => g.unified);
  const header = ['#', 'Name', 'Memory', 'Free', 'Compute', ...(unified ? ['Kind'] : [])];
  const rows = gpus.map((g) => [
    g.index !== undefined ? String(g.index) : '-',
    g.name,
    gib(g.memoryMiB),
    g.freeMiB !== undefined ? gib(g.freeMiB) : '-',
    g.computeCapability ?? '-',
    ...(unified ? [g.unified ? 'unified memory, Metal limit' : 'dedicated'] : []),
  ]);
  return table([header, ...rows], ['right', 'left', 'right', 'right', 'left', 'left']);
}

const RUNTIME_LABELS: ReadonlyArray<readonly [keyof RuntimeFacts, string]> = [
  ['vllm', 'vLLM'],
  ['ollama', 'Ollama'],
  ['llamacpp', 'node-llama-cpp'],
  ['docker', 'Docker'],
  ['podman', 'Podman'],
];

function runtimeRows(runtimes: RuntimeFacts | undefined, notes: readonly ProbeNote[]): string[][] {
  return RUNTIME_LABELS.map(([key, label]) => [label, runtimeText(key, runtimes, notes)]);
}

function runtimeText(key: keyof RuntimeFacts, runtimes: RuntimeFacts | undefined, notes: readonly ProbeNote[]): string {
  if (runtimes?.vllm && key === 'vllm') return `${runtimes.vllm.version}${runtimes.vllm.via !== undefined ? ` (via ${runtimes.vllm.via})` : ''}`;
  if (runtimes?.ollama && key === 'ollama') {
    const o = runtimes.ollama;
    const server = o.running ? `server running${o.host !== undefined ? ` at ${o.host}` : ''}` : 'server not running';
    return `${o.version ?? 'installed'}, ${server}`;
  }
  if (runtimes?.llamacpp && key === 'llamacpp') {
    const backends = runtimes.llamacpp.backends.length > 0 ? runtimes.llamacpp.backends.join(', ') : 'no backend';
    return runtimes.llamacpp.version !== undefined ? `${runtimes.llamacpp.version}: ${backends}` : `backends: ${backends}`;
  }
  if (runtimes?.docker && key === 'docker') return runtimes.docker.version;
  if (runtimes?.podman && key === 'podman') return runtimes.podman.version;
  const note = notes.find((n) => n.probe === key);
  if (note === undefined) return runtimes === undefined ? 'unknown (not probed)' : 'not found';
  return note.status === 'missing' ? 'not found' : `unknown: ${note.reason}`;
}

/** Two-space indent, columns two spaces apart, no trailing spaces. */
function table(rows: readonly string[][], align: readonly Align[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) => {
    const cells = row.map((cell, i) => {
      const pad = ' '.repeat((widths[i] ?? 0) - [...cell].length);
      const last = i === row.length - 1;
      return align[i] === 'right' ? pad + cell : last ? cell : cell + pad;
    });
    return `  ${cells.join('  ')}`;
  });
}

function gib(mib: number): string {
  return `${(mib / 1024).toFixed(1)} GiB`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
