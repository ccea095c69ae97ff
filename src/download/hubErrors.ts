/** Hub HTTP and network failures -> errors that say what to do. Pure. */
import { DevstralError } from '../errors.js';
import { networkFailure } from './networkRetry.js';

export interface HubFailure {
  status: number;
  errorCode?: string;
  errorMessage?: string;
  repo: string;
  revision?: string;
  path?: string;
  endpoint: string;
  hasToken: boolean;
}

export function hubError(f: HubFailure): DevstralError {
  const page = `${f.endpoint}/${f.repo}`;
  const tokenHint = f.hasToken ? 'check that HF_TOKEN (or --token) belongs to an account with access' : 'set HF_TOKEN (or pass --token) to a token of an account with access';
  if (f.errorCode === 'GatedRepo' || ((f.status === 401 || f.status === 403) && /gated|restricted/i.test(f.errorMessage ?? ''))) {
    return new DevstralError('download', `${f.repo} is gated: you must accept its licence before downloading`, {
      hint: `open ${page}, accept the terms while logged in, then ${tokenHint}`,
    });
  }
  if (f.status === 401 || f.status === 403 || f.errorCode === 'RepoNotFound') {
    return new DevstralError('download', `repository ${f.repo} not found, or it is private`, {
      hint: `check the name at ${page}; for a private repo ${tokenHint}`,
    });
  }
  if (f.errorCode === 'RevisionNotFound') {
    return new DevstralError('download', `${f.repo} has no revision "${f.revision}"`, { hint: `see the branches, tags and commits at ${page}` });
  }
  if (f.status === 404 || f.errorCode === 'EntryNotFound') {
    return new DevstralError('download', `${f.repo} has no file ${f.path ?? ''} at revision ${f.revision ?? 'main'}`, { hint: `see the files at ${page}/tree/${f.revision ?? 'main'}` });
  }
  if (f.status === 429) return new DevstralError('download', `the hub is rate-limiting requests for ${f.repo} (HTTP 429)`, { hint: 'wait a minute and run the pull again; a token (HF_TOKEN) raises the limit' });
  return new DevstralError('download', `the hub answered HTTP ${f.status} for ${f.repo}${f.path ? `/${f.path}` : ''}${f.errorMessage ? `: ${f.errorMessage}` : ''}`, {
    hint: f.status >= 500 ? 'the hub is having trouble; run the pull again (it resumes)' : 'run again with --debug and report it',
  });
}

export function networkError(endpoint: string, cause: unknown): DevstralError {
  const code = (cause as { code?: string }).code ?? (cause as Error).message;
  if (networkFailure(cause) === 'dropped') {
    return new DevstralError('download', `connection dropped by ${endpoint} (${code}), again after retries`, {
      hint: 'the server accepted and then closed the connection: run the pull again (it resumes from what is on disk); behind a proxy, check HTTPS_PROXY',
      cause,
    });
  }
  return new DevstralError('download', `cannot reach ${endpoint} (${code})`, {
    hint: 'check the network or proxy (HTTPS_PROXY); to use only files already downloaded, set HF_HUB_OFFLINE=1',
    cause,
  });
}
