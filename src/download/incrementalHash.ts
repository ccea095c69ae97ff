/**
 * sha256 / git-sha1 fed in order. Big files hash on a worker thread: hashing 1 GiB takes about a second of
 * CPU, which would otherwise stall receiving and writing on the main thread.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface IncrementalHash {
  update(data: Buffer): void;
  digest(): Promise<string>;
}

export function createIncrementalHash(algorithm: 'sha256' | 'sha1', prefix: string, onWorker: boolean): IncrementalHash {
  return onWorker ? new WorkerHash(algorithm, prefix) : inlineHash(algorithm, prefix);
}

function inlineHash(algorithm: string, prefix: string): IncrementalHash {
  const hash = createHash(algorithm).update(prefix);
  return { update: (data) => void hash.update(data), digest: async () => hash.digest('hex') };
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const hash = require('node:crypto').createHash(workerData.algorithm).update(workerData.prefix);
parentPort.on('message', (m) => {
  if (m === 'digest') { parentPort.postMessage(hash.digest('hex')); parentPort.close(); }
  else hash.update(new Uint8Array(m));
});`;

class WorkerHash implements IncrementalHash {
  private readonly worker: Worker;
  constructor(algorithm: string, prefix: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm, prefix } });
    this.worker.unref();
  }

  update(data: Buffer): void {
    // Hand the memory over without a copy when the buffer owns it; otherwise copy it once.
    const owned = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
    const buffer = owned ? (data.buffer as ArrayBuffer) : new Uint8Array(data).buffer;
    this.worker.postMessage(buffer, [buffer]);
  }

  digest(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.worker.once('message', (hex: string) => {
        void this.worker.terminate();
        resolve(hex);
      });
      this.worker.once('error', reject);
      this.worker.postMessage('digest');
    });
  }
}
