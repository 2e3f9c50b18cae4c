/**
 * The result of a repair task, as the LSP layer and the CLI consume it. Plain data (JSON-serialisable), no LSP
 * types: lines are 0-based and ranges of lines half-open, files absolute (with a workspace-relative twin).
 */
import type { GeneratorId } from "../core/types.js";
import type { TestCommand } from "./runners/test-command.js";
import type { ShardPlan } from "./shard.js";

export type RepairStatus =
  /** A repair exists: with it every failing test passes and no test that passed before fails. */
  | "fixed"
  /** No repair exists, but a partial patch fixes some failing tests without breaking any test. */
  | "partial"
  /** Tests fail and no validated patch improves them. */
  | "unfixed"
  /** The test suite passes: there is nothing to repair. */
  | "nothing-failing"
  /** A sharded run (`fix-all --shard`): every failing test belongs to another shard's groups. */
  | "other-shards"
  /** No test command was found (or configured), or the suite has no tests. */
  | "no-tests"
  /** The task was cancelled through the signal; scratch copies were removed. */
  | "cancelled"
  /** The user must change something before tests can run: the command is missing or refused (exit code 2). */
  | "misconfigured"
  /** The tests could not be run to completion or the task failed (see message); failing tests remain. */
  | "error";

/**
 * What a validated patch is, by the one definition of a repair that every output uses (see verdict.ts): a repair
 * makes every failing test it targets pass and breaks no test that passed; a partial patch fixes some failing tests
 * and breaks none. Patches that break a test are neither, and never leave the outcome records.
 */
export type PatchVerdict = "repair" | "partial";

/** One edit of a file: lines [startLine, endLine) of the file the patch was computed against become newText. */
export interface LineEdit {
  readonly startLine: number;
  readonly endLine: number;
  /** The replaced lines exactly as they were, line terminators included ("" for an insertion). */
  readonly oldText: string;
  /** The replacement, line terminators included ("" deletes the lines). */
  readonly newText: string;
}

export interface FilePatch {
  /** Absolute path. */
  readonly file: string;
  /** Path relative to the workspace root, with "/" separators. */
  readonly relativePath: string;
  /** Edits in ascending line order; they never overlap. */
  readonly edits: readonly LineEdit[];
  /**
   * SHA-256 (hex) of the UTF-8 text the edits were computed against. The LSP layer must refuse to apply the patch
   * to a document whose text hashes differently (it changed since), and recompute instead.
   */
  readonly baseHash: string;
  /** The exact text the edits were computed against. */
  readonly baseText: string;
}

/** A validated patch: a repair, or (in `RepairReport.partials`) a partial patch. */
export interface RepairPatch {
  /** Stable within one report: "p1", "p2", ... in rank order. */
  readonly id: string;
  /** What changes, for titles: e.g. "`<=` -> `<`"; several hunks are joined with "; ". */
  readonly description: string;
  readonly files: readonly FilePatch[];
  /** Unified diff with a/ and b/ paths relative to the root, applicable with `git apply` there. */
  readonly diff: string;
  /** Failing tests (of failingBefore) that pass with the patch. */
  readonly fixedTests: readonly string[];
  /** The full suite's result with the patch applied. */
  readonly validatedTests: { readonly passed: number; readonly total: number };
  /** Generators that proposed this patch (after normalisation): more than one is agreement. */
  readonly generators: readonly GeneratorId[];
  /** Sum of the candidates' scores (higher is more promising). */
  readonly score: number;
  /** "repair" when every failing test passes; "partial" when some do. Either way no test that passed fails. */
  readonly verdict: PatchVerdict;
  /** Failing tests (of failingBefore) that still fail with the patch: empty for repairs. */
  readonly stillFailing: readonly string[];
  /** Which combination phase found it. */
  readonly phase: CombinationPhase;
}

export type CombinationPhase = "single-hunk" | "same-text" | "greedy" | "best-first" | "strategy";

/** How one validated candidate fared; every validated candidate has one. */
export type CandidateOutcome =
  | { readonly kind: "syntax-error" }
  | { readonly kind: "compile-error"; readonly message: string }
  | { readonly kind: "failing-tests"; readonly count: number; readonly regressions: number }
  | { readonly kind: "timeout" }
  /** The patch edits test code (a test file, or a file the runner reported as a test): never a repair. */
  | { readonly kind: "touches-tests"; readonly file: string }
  | { readonly kind: "plausible" };

/**
 * How many oracle tests an outcome leaves failing: the search's view of it, the only number it compares
 * (Infinity when nothing could be judged: syntax or compile error, timeout, a patch of test code).
 */
export function oracleFailing(outcome: CandidateOutcome): number {
  if (outcome.kind === "plausible") return 0;
  return outcome.kind === "failing-tests" ? outcome.count : Infinity;
}

export interface OutcomeRecord {
  /** Description of the candidate patch, e.g. "`<=` -> `<` (search.py:14)". */
  readonly description: string;
  readonly phase: CombinationPhase;
  readonly outcome: CandidateOutcome;
  /** Hunks the candidate patch touched, as "relative/path:line" (1-based for people). */
  readonly locations: readonly string[];
  readonly seconds: number;
}

export interface RepairReport {
  readonly status: RepairStatus;
  /** One human sentence saying what happened. */
  readonly message: string;
  /** The command that ran the tests, when one was found. */
  readonly testCommand?: TestCommand;
  /** Tests failing on the unmodified code (consistently: flaky ones are excluded). */
  readonly failingBefore: readonly string[];
  /** Tests that failed once and passed on a re-run: not used as the oracle. */
  readonly flaky: readonly string[];
  /** How many tests the unmodified code's run counted (0 when it did not run). */
  readonly testsAtBaseline: number;
  /** Repairs, best first (see rank.ts): every failing test passes, no test that passed fails. */
  readonly patches: readonly RepairPatch[];
  /** Partial patches, most tests fixed first: never preferred, applied only on explicit request. */
  readonly partials: readonly RepairPatch[];
  /** Failing tests that the best repair does not fix (all of failingBefore when there is no repair). */
  readonly unfixed: readonly string[];
  /** Test files recognised from file names and from the runner's own report: never edited. */
  readonly testFiles: readonly string[];
  /** What was cut short by the budget, or worked around (e.g. "localisation: code with syntax errors"). */
  readonly notes: readonly string[];
  /** Every validated candidate's outcome, in validation order. */
  readonly outcomes: readonly OutcomeRecord[];
  /** Test runs spent on candidates (syntax-rejected candidates cost none). */
  readonly validations: number;
  /** Wall-clock seconds of the whole task. */
  readonly seconds: number;
  /** Seconds from the start to the first plausible patch, when one was found. */
  readonly secondsToFirstPlausible?: number;
  /**
   * Where each failing test failed, for reports that need a place per failure (SARIF): the assertion's line in
   * the test, else the innermost workspace frame, else the most suspicious line. Workspace-relative, 0-based.
   */
  readonly failureSites: readonly { readonly test: string; readonly file: string; readonly line: number }[];
  /** Set on a sharded run: every repair group of the failing tests, and the ones this shard repaired. */
  readonly shard?: ShardPlan;
  /** Suspicious hunks considered, most suspicious first ("relative/path:startLine-endLine", 1-based inclusive). */
  readonly localisation: readonly string[];
  /**
   * Set when the failing tests formed several independent repair groups (shard.ts), each repaired as its own task:
   * what each group's task found. The report's patches are the groups' best patches joined and validated together.
   */
  readonly groups?: readonly GroupOutcome[];
}

/** What one repair group's own task found, judged against the group's failing tests only. */
export interface GroupOutcome {
  /** The group's id (shard.ts): stable across runs and shards. */
  readonly id: string;
  readonly tests: readonly string[];
  /** "fixed": a repair of the group's tests; "partial": a partial patch of them; "unfixed": neither. */
  readonly status: "fixed" | "partial" | "unfixed";
  /** Description of the group's best patch, when it has one. */
  readonly best?: string;
  /** Test runs the group's task spent. */
  readonly validations: number;
}
