/** Exit codes: one per kind of failure, so scripts can tell them apart. */
export const ExitCode = {
  failure: 1,
  usage: 2,
  profile: 3,
  noPlan: 4,
  runtimeMissing: 5,
  download: 6,
  server: 7,
  /** `devstral health`: the endpoint does not answer at all. */
  unreachable: 8,
  /** `devstral health`: it answers, but a required check failed. */
  unhealthy: 9,
  /** Ctrl-C: 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;

export type ErrorCode = keyof typeof ExitCode;

/** The one error type the CLI renders: what went wrong, and a hint that says what to do. */
export class DevstralError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly details: string[];
  /** The command already said it (a health report): only the exit code is left to give. */
  readonly reported: boolean;

  constructor(code: ErrorCode, message: string, options: { hint?: string; details?: string[]; cause?: unknown; reported?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DevstralError';
    this.code = code;
    this.exitCode = ExitCode[code];
    this.hint = options.hint;
    this.details = options.details ?? [];
    this.reported = options.reported ?? false;
  }
}

