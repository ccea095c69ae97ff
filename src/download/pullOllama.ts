/** `ollama pull` through its API (POST /api/pull, NDJSON progress), reported as pull events. */
import { request } from '../net/undici.js';
import { DevstralError } from '../errors.js';
import type { PullEvent } from './pullSnapshot.js';

export interface OllamaPullResult {
  reference: string;
  bytes: number;
}

interface ProgressLine {
  status?: string;
  digest?: string;
  total?: number;
  completed?: number;
  error?: string;
}

/** Layers are reported as one file, the model: bytes summed over every layer seen so far. */
export async function pullOllama(host: string, reference: string, onEvent?: (e: PullEvent) => void, signal?: AbortSignal): Promise<OllamaPullResult> {
  let response;
  try {
    response = await request(`${host}/api/pull`, {
      method: 'POST',
      body: JSON.stringify({ model: reference, stream: true }),
      headers: { 'content-type': 'application/json' },
      ...(signal ? { signal } : {}),
      bodyTimeout: 0,
    });
  } catch (error) {
    throw new DevstralError('download', `no Ollama server answers at ${host} (${(error as { code?: string }).code ?? (error as Error).message})`, {
      hint: 'start it with `ollama serve` (or set OLLAMA_HOST to where it runs)',
      cause: error,
    });
  }
  if (response.statusCode !== 200) {
    const text = await response.body.text();
    throw ollamaError(reference, host, (JSON.parse(text || '{}') as ProgressLine).error ?? `HTTP ${response.statusCode}`);
  }
  const layers = new Map<string, { total: number; completed: number }>();
  let announced = false;
  let buffered = '';
  const handle = (line: ProgressLine) => {
    if (line.error) throw ollamaError(reference, host, line.error);
    if (line.digest && line.total) {
      layers.set(line.digest, { total: line.total, completed: line.completed ?? 0 });
      const size = [...layers.values()].reduce((a, l) => a + l.total, 0);
      const bytes = [...layers.values()].reduce((a, l) => a + l.completed, 0);
      if (!announced) onEvent?.({ type: 'resolved', repo: reference, revision: 'latest', commit: '', files: [{ path: reference, size, cached: false }], missingBytes: size });
      announced = true;
      onEvent?.({ type: 'progress', path: reference, bytes, size });
    }
  };
  for await (const chunk of response.body) {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) handle(JSON.parse(l) as ProgressLine);
  }
  if (buffered.trim()) handle(JSON.parse(buffered) as ProgressLine);
  const bytes = [...layers.values()].reduce((a, l) => a + l.total, 0);
  if (!announced) onEvent?.({ type: 'resolved', repo: reference, revision: 'latest', commit: '', files: [{ path: reference, size: bytes, cached: true }], missingBytes: 0 });
  onEvent?.({ type: 'file-done', path: reference, size: bytes, fetchedBytes: bytes, cached: !announced });
  return { reference, bytes };
}

function ollamaError(reference: string, host: string, message: string): DevstralError {
  if (/file does not exist|not found|manifest unknown/i.test(message)) {
    return new DevstralError('download', `Ollama has no model ${reference} (${message})`, { hint: 'check the name and tag (for a Hugging Face GGUF: hf.co/ORG/REPO:QUANT)' });
  }
  return new DevstralError('download', `Ollama at ${host} could not pull ${reference}: ${message}`, { hint: 'see the Ollama server log' });
}
