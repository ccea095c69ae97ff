/**
 * Shows pull events: a listr2 task per file with a bar on a terminal, a line per file every few seconds
 * otherwise, NDJSON with --json.
 */
import type { PullEvent } from '../download/pullSnapshot.js';
import { formatBytes, formatTransfer, RateMeter } from './render/formatTransfer.js';

export interface PullProgress {
  onEvent(event: PullEvent): void;
  /** Resolves once the display has drawn its last frame. */
  close(error?: unknown): Promise<void>;
}

export type ProgressMode = 'tty' | 'lines' | 'json';

export function createPullProgress(mode: ProgressMode, out: NodeJS.WritableStream = process.stderr): PullProgress {
  if (mode === 'json') return jsonProgress();
  if (mode === 'lines') return lineProgress(out);
  return ttyProgress();
}

function jsonProgress(): PullProgress {
  const meters = new Map<string, RateMeter>();
  let last = 0;
  return {
    onEvent(event) {
      const now = Date.now();
      if (event.type === 'progress') {
        const rate = (meters.get(event.path) ?? meters.set(event.path, new RateMeter()).get(event.path)!).add(now, event.bytes);
        // Progress at most 4 times a second: enough for a script, not a flood.
        if (now - last < 250 && event.bytes < event.size) return;
        last = now;
        return void process.stdout.write(`${JSON.stringify({ ...event, bytesPerSecond: Math.round(rate), time: new Date(now).toISOString() })}\n`);
      }
      process.stdout.write(`${JSON.stringify({ ...event, time: new Date(now).toISOString() })}\n`);
    },
    close: async () => undefined,
  };
}

function lineProgress(out: NodeJS.WritableStream): PullProgress {
  const meters = new Map<string, RateMeter>();
  const lastPrint = new Map<string, number>();
  return {
    onEvent(event) {
      const now = Date.now();
      if (event.type === 'resolved') {
        const cached = event.files.filter((f) => f.cached).length;
        out.write(`${event.repo} @ ${event.commit || event.revision}: ${event.files.length} file(s), ${formatBytes(event.missingBytes)} to download${cached ? `, ${cached} already complete` : ''}\n`);
      } else if (event.type === 'gguf') {
        const s = event.summary;
        out.write(`${event.path}: GGUF ${s.architecture}, ${s.quantization}, ${s.blockCount} layers, context ${s.contextLength}\n`);
      } else if (event.type === 'waiting') {
        out.write(`${event.path}: waiting for another devstral pull of the same file\n`);
      } else if (event.type === 'progress') {
        const rate = (meters.get(event.path) ?? meters.set(event.path, new RateMeter()).get(event.path)!).add(now, event.bytes);
        if (now - (lastPrint.get(event.path) ?? 0) < 5000) return;
        lastPrint.set(event.path, now);
        out.write(`${event.path}  ${formatTransfer(event.bytes, event.size, rate)}\n`);
      } else if (event.type === 'retry') {
        out.write(`${event.path}  ${retryText(event)}\n`);
      } else if (event.type === 'file-done') {
        out.write(`${event.path}  ${event.cached ? 'already complete' : `done, ${formatBytes(event.fetchedBytes)} fetched`}\n`);
      }
    },
    close: async () => undefined,
  };
}

function ttyProgress(): PullProgress {
  type Slot = { setTitle(title: string): void; done(): void };
  const slots = new Map<string, Slot>();
  const waiting = new Map<string, ((slot: Slot) => void)[]>();
  const meters = new Map<string, RateMeter>();
  let run: Promise<unknown> | undefined;
  let abort: ((error: unknown) => void) | undefined;
  const withSlot = (path: string, use: (slot: Slot) => void) => {
    const slot = slots.get(path);
    if (slot) use(slot);
    else waiting.set(path, [...(waiting.get(path) ?? []), use]);
  };
  return {
    onEvent(event) {
      if (event.type === 'resolved') {
        run = import('listr2').then(({ Listr, ListrLogger, ProcessOutput }) => {
          const failed = new Promise<never>((_, reject) => (abort = reject));
          failed.catch(() => undefined);
          const list = new Listr(
            event.files.map((file) => ({
              title: `${file.path}  ${file.cached ? 'already complete' : formatBytes(file.size)}`,
              task: (_ctx: unknown, task: { title: string }) =>
                Promise.race([
                  failed,
                  new Promise<void>((resolve) => {
                    const slot = { setTitle: (title: string) => void (task.title = title), done: resolve };
                    slots.set(file.path, slot);
                    for (const use of waiting.get(file.path) ?? []) use(slot);
                  }),
                ]),
            })),
            // Progress on stderr: stdout is for results.
            { concurrent: false, exitOnError: true, rendererOptions: { collapseSubtasks: false, logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }) } },
          );
          return list.run();
        });
      } else if (event.type === 'progress') {
        const rate = (meters.get(event.path) ?? meters.set(event.path, new RateMeter()).get(event.path)!).add(Date.now(), event.bytes);
        withSlot(event.path, (slot) => slot.setTitle(`${event.path}  ${formatTransfer(event.bytes, event.size, rate)}`));
      } else if (event.type === 'waiting') {
        withSlot(event.path, (slot) => slot.setTitle(`${event.path}  waiting for another devstral pull of the same file`));
      } else if (event.type === 'retry') {
        withSlot(event.path, (slot) => slot.setTitle(`${event.path}  ${retryText(event)}`));
      } else if (event.type === 'gguf') {
        const s = event.summary;
        withSlot(event.path, (slot) => slot.setTitle(`${event.path}  GGUF ${s.architecture} ${s.quantization}, ${s.blockCount} layers, context ${s.contextLength}`));
      } else if (event.type === 'file-done') {
        withSlot(event.path, (slot) => {
          slot.setTitle(`${event.path}  ${event.cached ? 'already complete' : `${formatBytes(event.size)} done`}`);
          slot.done();
        });
      }
    },
    async close(error) {
      if (error !== undefined) abort?.(error);
      await run?.catch(() => undefined);
    },
  };
}

/** "connection dropped: retrying in 2 s (attempt 2 of 6), from the bytes on disk" */
function retryText(event: Extract<PullEvent, { type: 'retry' }>): string {
  return `${event.reason}: retrying in ${Math.max(1, Math.round(event.waitMs / 1000))} s (attempt ${event.attempt + 1} of ${event.attempts}), from the bytes on disk`;
}
