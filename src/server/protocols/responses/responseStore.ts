/**
 * Responses kept for `previous_response_id` and GET /v1/responses/{id}: the most recent ones, in memory, bounded
 * by count and by size (a conversation resent with every turn grows), oldest dropped first. Lost on restart, as
 * the clients that need them (store: true) can resend the whole history.
 */
import type { EngineMessage } from '../../engine/engineRequest.js';

export interface StoredResponse {
  /** The response object as returned. */
  response: Record<string, unknown>;
  /** The conversation up to and including this response's output (without `instructions`, which do not carry over). */
  conversation: EngineMessage[];
  size: number;
}

export class ResponseStore {
  private readonly entries = new Map<string, StoredResponse>();
  private bytes = 0;

  constructor(private readonly maxEntries = 256, private readonly maxBytes = 256 * 1024 * 1024) {}

  get(id: string): StoredResponse | undefined {
    const entry = this.entries.get(id);
    if (entry) {
      // Recently used stays longest.
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry;
  }

  put(id: string, response: Record<string, unknown>, conversation: EngineMessage[]): void {
    const size = conversation.reduce((n, m) => n + m.content.length + JSON.stringify(m.toolCalls ?? []).length, 0) + JSON.stringify(response).length;
    this.delete(id);
    this.entries.set(id, { response, conversation, size });
    this.bytes += size;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.size;
    }
  }

  delete(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.bytes -= entry.size;
    return true;
  }
}
