/** One file a deployment target writes. */
export interface DeployFile {
  /** Relative to the output folder. */
  path: string;
  content: string;
}
