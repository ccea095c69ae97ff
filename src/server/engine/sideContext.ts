/**
 * A small second context for short requests: a readiness check, an agent's title or quota probe. With one sequence
 * (serve's default), such a request would take it and throw away the long conversation cached there (Claude Code's
 * ~19k-token prefix), which the agent's next request must then evaluate again. Created on first use; if it cannot be
 * created (no memory left), short requests share the main context as before.
 */
import type { LlamaContextSequence, LlamaModel } from 'node-llama-cpp';

/** Tokens of the side context (prompt and output together). */
export const SIDE_CONTEXT_TOKENS = 2048;

export class SideContext {
  private sequence: Promise<LlamaContextSequence | undefined> | undefined;
  private busy = false;

  constructor(
    private readonly model: LlamaModel,
    private readonly threads: number,
    private readonly log: (line: string) => void,
  ) {}

  /** The side sequence, if it is free and exists (or can be made); release it when done. */
  async take(): Promise<LlamaContextSequence | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.sequence ??= this.model.createContext({ contextSize: SIDE_CONTEXT_TOKENS, sequences: 1, threads: this.threads }).then(
      (context) => context.getSequence(),
      (error: Error) => {
        this.log(`warning: no room for a ${SIDE_CONTEXT_TOKENS}-token side context (${error.message}); short requests share the main one`);
        return undefined;
      },
    );
    const sequence = await this.sequence;
    if (!sequence) this.busy = false;
    return sequence;
  }

  release(): void {
    this.busy = false;
  }

  async dispose(): Promise<void> {
    const sequence = await this.sequence;
    await sequence?.context.dispose();
  }
}
