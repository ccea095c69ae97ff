/**
 * Tool calls as they are generated: node-llama-cpp reports argument text in chunks per call. This keeps each
 * call's id and raw arguments, and passes deltas on so that the streamed arguments of a call concatenate to
 * exactly the arguments of the final result: trailing whitespace (the grammar's end marker is four newlines) is
 * held back until something follows it. Pure apart from the `random` it is given for ids.
 */
import type { ToolCallDelta } from './engineRequest.js';
import { newToolCallId } from './toolCallIds.js';

interface CallState {
  id: string;
  name: string;
  /** Arguments passed on so far. */
  sent: string;
  /** Whitespace held back at the end. */
  held: string;
}

export class ToolCallStream {
  private readonly calls: CallState[] = [];

  constructor(private readonly emit: ((delta: ToolCallDelta) => void) | undefined, private readonly random: () => number = Math.random) {}

  /** One chunk of a call's arguments as node-llama-cpp reports it. */
  push(index: number, name: string, chunk: string): void {
    let call = this.calls[index];
    const first = !call;
    if (!call) call = this.calls[index] = { id: newToolCallId(this.random), name, sent: '', held: '' };
    const text = call.held + chunk;
    const trimmed = text.replace(/\s+$/, '');
    call.held = text.slice(trimmed.length);
    if (!trimmed && !first) return;
    call.sent += trimmed;
    this.emit?.({ index, ...(first ? { id: call.id, name } : {}), arguments: trimmed });
  }

  /**
   * Every call: those node-llama-cpp completed (a call without arguments sends no chunk, so it is added and
   * passed on here) and, after them, one cut short by the token limit.
   */
  finish(completed: readonly { functionName: string; params?: unknown }[]): { id: string; name: string; arguments: string }[] {
    completed.forEach((call, index) => {
      if (!this.calls[index]) this.push(index, call.functionName, JSON.stringify(call.params ?? {}));
    });
    return this.calls.filter(Boolean).map((c) => ({ id: c.id, name: c.name, arguments: c.sent }));
  }
}
