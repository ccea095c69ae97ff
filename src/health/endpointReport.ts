/** The result of `checkEndpoint`: what `devstral health --json` prints, one per server. Keep it stable. */

export type CheckStatus = 'pass' | 'fail' | 'skip' | 'warn';

export interface CheckResult {
  /** reachable | health | models | chat | streaming | tool-call | json-mode | context */
  name: string;
  status: CheckStatus;
  ms: number;
  detail: string;
  /** A required check that fails makes the endpoint unhealthy; the others only warn. */
  required: boolean;
}

export type Verdict = 'healthy' | 'unhealthy' | 'unreachable';

export interface EndpointReport {
  /** The URL as given. */
  url: string;
  /** The normalized OpenAI base URL, ending in /v1. */
  baseUrl: string;
  model?: string;
  contextLength?: number;
  verdict: Verdict;
  checks: CheckResult[];
  /** Time to the first content token of the streaming check. */
  ttftMs?: number;
  tokensPerSecond?: number;
}

/** unreachable when the first check failed, unhealthy when any required check failed. Pure. */
export function decideVerdict(checks: CheckResult[]): Verdict {
  if (checks.find((c) => c.name === 'reachable')?.status === 'fail') return 'unreachable';
  return checks.some((c) => c.required && c.status === 'fail') ? 'unhealthy' : 'healthy';
}
