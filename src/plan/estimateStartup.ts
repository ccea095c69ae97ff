/**
 * How long a first start of a planned server may take: the weights downloaded at 50 MB/s (a slow link or a busy hub),
 * then read at 500 MB/s (a network volume or a SATA disk), plus five minutes for CUDA graphs and warm-up; never less
 * than ten minutes (a 24B model on a slow volume). Deployments size their probes and timeouts from it. Pure.
 */
export const DOWNLOAD_BYTES_PER_SECOND = 50e6;
export const READ_BYTES_PER_SECOND = 500e6;

export function estimateStartupSeconds(weightsBytes: number): number {
  return Math.max(600, Math.ceil(weightsBytes / DOWNLOAD_BYTES_PER_SECOND + weightsBytes / READ_BYTES_PER_SECOND + 300));
}
