/**
 * The last check of `fix-all --apply`: after the validated patches are written to the user's files, the test
 * command runs once in place, and the outcome must be the validated one (verdict.ts) or the write is rolled back.
 * A scratch copy can differ from the real workspace (a file the copy skipped, an absolute path in a test), so the
 * user's own tree has the final word.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestRunResult } from "./runners/outcomes.js";
import { runTests } from "./runners/run-tests.js";
import type { TestCommand } from "./runners/test-command.js";
import { compareWithBaseline, type SuiteComparison } from "./verdict.js";

export interface InPlaceExpectation {
  /** Tests failing consistently before (the oracle). */
  readonly failingBefore: readonly string[];
  /** Tests that failed once and passed on a re-run: their failures are not regressions. */
  readonly flaky: readonly string[];
  /** How many tests the baseline counted. */
  readonly testsAtBaseline: number;
  /** Failing tests the written patches were validated to fix. */
  readonly fixedTests: readonly string[];
}

export interface InPlaceResult {
  /** Whether the run matches what validation established: the fixed tests pass and nothing that passed fails. */
  readonly confirmed: boolean;
  /** Whether every test passes in place (the run completed and nothing failed). */
  readonly allPass: boolean;
  /** One sentence for people. */
  readonly summary: string;
  readonly run: TestRunResult;
  readonly comparison: SuiteComparison;
}

/** Runs the test command in the workspace itself and compares the outcome with the validated one. */
export async function confirmInPlace(
  root: string,
  command: TestCommand,
  expected: InPlaceExpectation,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<InPlaceResult> {
  // Runners' report files go to a private temporary folder, never into the user's tree.
  const reports = await mkdtemp(join(tmpdir(), "repair-ls-confirm-"));
  try {
    const run = await runTests(command, {
      cwd: root,
      displayRoot: root,
      timeoutMs: options.timeoutMs,
      reportParent: reports,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const oracle = expected.failingBefore.map((name) => ({ name, status: "failed" as const, message: "" }));
    const comparison = compareWithBaseline(
      {
        oracle,
        failingAtBaseline: new Set([...expected.failingBefore, ...expected.flaky]),
        passingAtBaseline: [],
        totalAtBaseline: expected.testsAtBaseline,
      },
      run,
    );
    const unfixed = expected.fixedTests.filter((t) => comparison.stillFailing.includes(t));
    const confirmed = run.kind === "completed" && comparison.regressions.length === 0 && unfixed.length === 0;
    const allPass = run.kind === "completed" && run.counts.failed === 0;
    const summary =
      run.kind !== "completed"
        ? `the test command did not complete in place (${run.kind}${run.problem ? `: ${run.problem}` : ""})`
        : comparison.regressions.length > 0
          ? `in place, tests that passed before now fail: ${comparison.regressions.slice(0, 5).join(", ")}`
          : unfixed.length > 0
            ? `in place, tests the repair fixed in validation still fail: ${unfixed.slice(0, 5).join(", ")}`
            : `in place, ${run.counts.total - run.counts.failed}/${run.counts.total} tests pass`;
    return { confirmed, allPass, summary, run, comparison };
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
}
