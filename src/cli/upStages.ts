/**
 * `up`'s stages on stderr, so stdout keeps only results: on a terminal a listr2 spinner with the elapsed time and
 * the latest detail (a vLLM load line); in a pipe a line when a stage starts and one when it ends, with its time.
 */
export interface Stages {
  run<T>(title: string, work: (detail: (line: string) => void) => Promise<T>): Promise<T>;
}

export type StageMode = 'tty' | 'lines';

export function createStages(mode: StageMode, out: NodeJS.WritableStream = process.stderr): Stages {
  if (mode === 'lines') {
    return {
      async run(title, work) {
        const started = Date.now();
        out.write(`${title}...\n`);
        let last = '';
        const result = await work((line) => {
          if (line !== last) out.write(`  ${line}\n`);
          last = line;
        });
        out.write(`${title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        return result;
      },
    };
  }
  return {
    async run(title, work) {
      const { Listr, ListrLogger, PRESET_TIMER, ProcessOutput } = await import('listr2');
      let result: Awaited<ReturnType<typeof work>> | undefined;
      const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
      await new Listr([{ title, task: async (_ctx, task) => void (result = await work((line) => (task.output = line))) }], {
        // The error itself is said once, by the CLI, with its hint.
        rendererOptions: { timer: PRESET_TIMER, logger, showErrorMessage: false },
        exitOnError: true,
      }).run();
      return result as Awaited<ReturnType<typeof work>>;
    },
  };
}
