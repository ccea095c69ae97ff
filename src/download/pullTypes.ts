/** What a pull is asked for, tells as it goes, and returns (shared by pullSnapshot and readOfflineSnapshot). */
import type { GgufSummary } from '../gguf/summarizeGguf.js';
import type { Selection } from './selectFiles.js';

export interface PullRequest {
  repo: string;
  revision: string;
  selection: Selection;
}

export type PullEvent =
  | { type: 'resolved'; repo: string; revision: string; commit: string; files: { path: string; size: number; cached: boolean }[]; missingBytes: number }
  | { type: 'waiting'; path: string }
  | { type: 'file-start'; path: string; size: number; resumedBytes: number }
  /** Read from the remote header before a GGUF is downloaded. */
  | { type: 'gguf'; path: string; summary: GgufSummary }
  | { type: 'progress'; path: string; bytes: number; size: number }
  | { type: 'retry'; path: string; attempt: number; attempts: number; waitMs: number; reason: string }
  | { type: 'file-done'; path: string; size: number; fetchedBytes: number; cached: boolean };

export interface PulledFile {
  path: string;
  /** snapshots/<commit>/<path>: what vLLM, transformers and our server open. */
  localPath: string;
  size: number;
  fetchedBytes: number;
  cached: boolean;
}

export interface PullResult {
  repo: string;
  revision: string;
  commit: string;
  snapshotDir: string;
  files: PulledFile[];
  bytes: number;
  fetchedBytes: number;
}
