import type { ExecFailure } from './detectDeps.js';
import type { ProbeNote } from './hardwareFacts.js';

export function probeNote(probe: string, status: ProbeNote['status'], reason: string): ProbeNote {
  return { probe, status, reason };
}

/** A child process that did not run (not on PATH, too slow, could not start) as a note. */
export function noteFromExecFailure(probe: string, failure: ExecFailure, missingReason?: string): ProbeNote {
  return probeNote(probe, failure.kind, failure.kind === 'missing' && missingReason !== undefined ? missingReason : failure.reason);
}

/** Probes never throw: an unexpected exception becomes a "failed" note with `fallback` as the result. */
export async function guardProbe<T extends { notes: ProbeNote[] }>(probe: string, run: () => Promise<T>, fallback: () => Omit<T, 'notes'>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...fallback(), notes: [probeNote(probe, 'failed', `unexpected error: ${message}`)] } as T;
  }
}

/** First non-empty line, shortened: enough to explain a failure in one row. */
export function firstLine(text: string, max = 160): string {
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
