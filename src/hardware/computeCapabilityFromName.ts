/**
 * Compute capability of well-known NVIDIA GPUs, for drivers too old to report `compute_cap` (<= 470).
 * Checked in order: the more specific names first ("RTX 6000 Ada" before "RTX A6000"/"Quadro RTX 6000").
 */
const TABLE: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bRTX 50\d\d\b|\bRTX PRO \d{4} Blackwell\b/i, '12.0'],
  [/\bG?B200\b|\bB100\b/i, '10.0'],
  [/\bG?H100\b|\bG?H200\b|\bH800\b/i, '9.0'],
  [/\bRTX [2456]000 Ada\b|\bL40S?\b|\bL4\b|\bRTX 40\d\d\b/i, '8.9'],
  [/\bA100\b|\bA800\b|\bA30\b/i, '8.0'],
  [/\bA10G?\b|\bA40\b|\bRTX A\d{4}\b|\bRTX 30\d\d\b/i, '8.6'],
  [/\bT4\b|\bRTX 20\d\d\b|\bQuadro RTX \d{4}\b|\bTITAN RTX\b/i, '7.5'],
  [/\bV100\b|\bTITAN V\b/i, '7.0'],
];

export function computeCapabilityFromName(name: string): string | undefined {
  for (const [pattern, capability] of TABLE) if (pattern.test(name)) return capability;
  return undefined;
}
