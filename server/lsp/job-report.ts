/**
 * The JSON a finished repair job is reported as (the `repair/report` request, and `fix-all --format json`). It is
 * the contract between the server and headless clients, so it carries only plain data with workspace-relative paths.
 */
export interface JobReportEdit {
  /** Workspace-relative, "/"-separated. */
  readonly file: string;
  /** 0-based, half-open line range of the text the patch was computed against. */
  readonly startLine: number;
  readonly endLine: number;
  readonly oldText: string;
  readonly newText: string;
}

export interface JobReportPatch {
  readonly id: string;
  readonly description: string;
  /** Workspace-relative paths of the files the patch changes. */
  readonly files: readonly string[];
  /** Unified diff with a/ and b/ prefixes, applicable with `git apply` at the workspace root. */
  readonly diff: string;
  readonly edits: readonly JobReportEdit[];
  /** sha256 of each file's text the patch was computed against, by relative path. */
  readonly baseHashes: Readonly<Record<string, string>>;
  readonly validatedTests: { readonly passed: number; readonly total: number };
  readonly fixedTests: readonly string[];
  readonly regressions: number;
  /** Test runs spent validating this patch. */
  readonly validations: number;
  readonly generators: readonly string[];
}

export interface JobReport {
  readonly jobId: string;
  readonly folder: string;
  readonly status: string;
  readonly message: string;
  readonly testCommand: string | undefined;
  readonly failingBefore: readonly string[];
  readonly patches: readonly JobReportPatch[];
  readonly unfixed: readonly string[];
  readonly validations: number;
  readonly seconds: number;
  readonly secondsToFirstPlausible: number | undefined;
  readonly outcomes: Readonly<Record<string, number>>;
}
