import type { JobReport } from "../lsp/job-report.js";

/** Two shards' repairs that edit overlapping lines of one file differently (or different versions of it). */
export interface MergeConflict {
  readonly file: string;
  /** 1-based, inclusive, as people read them: the lines both patches edit. */
  readonly lines: string;
  /** Each side as "shard i/n: description". */
  readonly patches: readonly [string, string];
  readonly reason: "overlapping edits" | "different base versions";
}

/** What `merge-reports` found besides the repairs: coverage of the shards and groups, and conflicts. */
export interface MergeSummary {
  /** The shards merged, each with the report file it came from. */
  readonly shards: readonly { readonly index: number; readonly total: number; readonly report: string }[];
  readonly total: number;
  /** Shards (1-based) whose report was not given. */
  readonly missingShards: readonly number[];
  /** Ids of repair groups no given shard owned (their shard's report is missing). */
  readonly missingGroups: readonly string[];
  /** Shards that computed different groups (e.g. a flaky test): coverage cannot be trusted then. */
  readonly disagreements: readonly string[];
  readonly conflicts: readonly MergeConflict[];
}

/** A report joined from shards' reports: its patches are every shard's chosen repairs, conflicts left out. */
export interface MergedReport extends JobReport {
  readonly merge: MergeSummary;
}

export function isMerged(report: JobReport): report is MergedReport {
  return typeof (report as Partial<MergedReport>).merge === "object";
}
