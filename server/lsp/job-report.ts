import type { TestCommand } from "../pipeline/runners/test-command.js";
import type { GroupOutcome } from "../pipeline/report.js";
import type { ShardPlan } from "../pipeline/shard.js";

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
  /**
   * "repair": every failing test passes and no test that passed fails. "partial": some failing tests pass and no
   * test that passed fails. Nothing else is ever reported as a patch.
   */
  readonly verdict: "repair" | "partial";
  readonly fixedTests: readonly string[];
  /** Failing tests that still fail with this patch (empty for a repair). */
  readonly stillFailing: readonly string[];
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
  /** The detected runner and command, so that a client can run the tests itself (`fix-all --apply` confirms). */
  readonly testRunner: TestCommand | undefined;
  /** How many tests the unmodified code's run counted. */
  readonly testsAtBaseline: number;
  readonly failingBefore: readonly string[];
  /** Tests that failed once and passed on a re-run: not repaired, not regressions. */
  readonly flaky: readonly string[];
  /** Repairs, best first. */
  readonly patches: readonly JobReportPatch[];
  /** Partial patches: applied only on explicit request (`fix-all --apply-partial`), never preferred. */
  readonly partials: readonly JobReportPatch[];
  /** Failing tests no repair fixes. */
  readonly unfixed: readonly string[];
  /** Workspace-relative test files: never edited. */
  readonly testFiles: readonly string[];
  /** What was cut short by the budget or worked around. */
  readonly notes: readonly string[];
  readonly validations: number;
  readonly seconds: number;
  readonly secondsToFirstPlausible: number | undefined;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Where each failing test failed: workspace-relative file, 0-based line. */
  readonly failureSites: readonly { readonly test: string; readonly file: string; readonly line: number }[];
  /**
   * A sharded run's (`fix-all --shard i/n`) repair groups: every group of the failing tests with its shard, and the
   * ids of the groups this run owned and repaired. Its patches fix owned tests only; `unfixed` lists owned tests.
   */
  readonly shard?: ShardPlan;
  /**
   * Set when the failing tests formed several independent repair groups, each repaired as its own task: what each
   * group found. The patches are the groups' best patches joined and validated together against every failing test.
   */
  readonly groups?: readonly GroupOutcome[];
}
