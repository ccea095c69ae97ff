/**
 * An incremental, strict Server-Sent Events parser: text in, `data` events out. Lines that are not SSE fields
 * (`data`, `event`, `id`, `retry`, or a `:` comment) are reported as malformed instead of ignored, because a
 * client that sees them is talking to a broken server. Pure.
 */
export type SseEvent = { kind: 'data'; data: string; line: number } | { kind: 'malformed'; text: string; line: number };

export class SseParser {
  private buffer = '';
  private line = 0;
  private data: string[] = [];
  private dataLine = 0;

  push(text: string): SseEvent[] {
    this.buffer += text;
    const events: SseEvent[] = [];
    let end: number;
    while ((end = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const newline = this.buffer.startsWith('\r\n', end) ? 2 : 1;
      this.take(this.buffer.slice(0, end), events);
      this.buffer = this.buffer.slice(end + newline);
    }
    return events;
  }

  /** The end of the stream: a last event without its blank line still counts. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.buffer) this.take(this.buffer, events);
    this.buffer = '';
    this.flush(events);
    return events;
  }

  private take(line: string, events: SseEvent[]): void {
    this.line++;
    if (line === '') return this.flush(events);
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field === 'data') {
      if (this.data.length === 0) this.dataLine = this.line;
      this.data.push(colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, ''));
    } else if (field !== 'event' && field !== 'id' && field !== 'retry') {
      events.push({ kind: 'malformed', text: line, line: this.line });
    }
  }

  private flush(events: SseEvent[]): void {
    if (this.data.length) events.push({ kind: 'data', data: this.data.join('\n'), line: this.dataLine });
    this.data = [];
  }
}
