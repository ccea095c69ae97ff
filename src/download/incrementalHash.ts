/**
 * sha256 / git-sha1 fed in order. Big files hash on a worker thread: hashing 1 GiB takes about a second of
 * CPU, which would otherwise stall receiving and writing on the main thread. The data is handed over without a
 * copy and handed back for reuse once hashed.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface IncrementalHash {
  /**
   * Takes over `data`, which must own its memory alone (a pooled buffer or a view of one): on a worker the memory
   * is transferred. `recycle` gets it back once hashed (the same view of the same memory).
   */
  update(data: Buffer): void;
  digest(): Promise<string>;
  /** Stops a worker that will not be asked for a digest. */
  dispose(): void;
}

export function createIncrementalHash(algorithm: 'sha256' | 'sha1', prefix: string, onWorker: boolean, recycle: (data: Buffer) => void): IncrementalHash {
  return onWorker ? new WorkerHash(algorithm, prefix, recycle) : inlineHash(algorithm, prefix, recycle);
}

function inlineHash(algorithm: string, prefix: string, recycle: (data: Buffer) => void): IncrementalHash {
  const hash = createHash(algorithm).update(prefix);
  return {
    update: (data) => {
      hash.update(data);
      recycle(data);
    },
    digest: async () => hash.digest('hex'),
    dispose: () => undefined,
  };
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const hash = require('node:crypto').createHash(workerData.algorithm).update(workerData.prefix);
parentPort.on('message', (m) => {
  if (m === 'digest') { parentPort.postMessage({ hex: hash.digest('hex') }); parentPort.close(); return; }
  hash.update(new Uint8Array(m.buffer, m.offset, m.length));
  parentPort.postMessage(m, [m.buffer]);
});`;

class WorkerHash implements IncrementalHash {
  private readonly worker: Worker;
  private resolveDigest: ((hex: string) => void) | undefined;

  constructor(algorithm: string, prefix: string, recycle: (data: Buffer) => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm, prefix } });
    this.worker.unref();
    this.worker.on('message', (m: { buffer?: ArrayBuffer; offset: number; length: number; hex?: string }) => {
      if (m.buffer) recycle(Buffer.from(m.buffer, m.offset, m.length));
      else if (m.hex !== undefined) this.resolveDigest?.(m.hex);
    });
  }

  update(data: Buffer): void {
    const buffer = data.buffer as ArrayBuffer;
    this.worker.postMessage({ buffer, offset: data.byteOffset, length: data.byteLength }, [buffer]);
  }

  dispose(): void {
    void this.worker.terminate();
  }

  digest(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.resolveDigest = (hex) => {
        void this.worker.terminate();
        resolve(hex);
      };
      this.worker.once('error', reject);
      this.worker.postMessage('digest');
    });
  }
}
