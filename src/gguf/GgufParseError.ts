/** A file that is not a GGUF file, or a GGUF file whose header is corrupt or lacks a required key. */
export class GgufParseError extends Error {
  constructor(message: string) {
    super(`Invalid GGUF: ${message}`);
    this.name = 'GgufParseError';
  }
}
