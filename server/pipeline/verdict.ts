/**
 * The one definition of a repair. Every part of repair-ls that reports, ranks, offers or applies a patch decides
 * what the patch is here, from a test run with the patch compared against the baseline run without it:
 *
 * - a **repair** makes every originally failing test pass and no test that passed before fail;
 * - a **partial** patch makes some of the failing tests pass and no test that passed before fail;
 * - anything else (a regression, a build error, a timeout, nothing fixed) is neither, and is never reported as a
 *   patch, offered as a code action or applied.
 *
 * A test that passed before and is missing from a run that names every test it ran counts as a regression (a
 * crash can stop a suite early), and so do tests that a run no longer counts at all.
 */
import type { PatchVerdict } from "./report.js";
import type { TestOutcome, TestRunResult } from "./runners/outcomes.js";

/** What the baseline (the unmodified code) established, as far as judging patches goes. */
export interface BaselineFacts {
  /** The oracle: tests failing consistently on the unmodified code. */
  readonly oracle: readonly TestOutcome[];
  /** Every test that failed on the unmodified code, flaky ones included: their failures are not regressions. */
  readonly failingAtBaseline: ReadonlySet<string>;
  /** Tests that passed on the unmodified code. */
  readonly passingAtBaseline: readonly string[];
  /** How many tests the unmodified code's full run counted. */
  readonly totalAtBaseline: number;
}

/** A full-suite run with a patch, compared with the baseline. */
export interface SuiteComparison {
  /** Oracle tests that do not pass in the run. */
  readonly stillFailing: readonly string[];
  /** Tests that passed at baseline and do not pass now (named, or counted as "N tests no longer ran"). */
  readonly regressions: readonly string[];
  readonly passed: number;
  readonly total: number;
}

/** Whether a run names every test it ran (JUnitCore names failures only, and reports a larger count). */
export function namesEveryTest(run: TestRunResult): boolean {
  return run.perTest && run.counts.total <= run.tests.length;
}

/** Oracle tests not passing in a run. A test missing from a run that names every test it ran did not pass. */
export function oracleStillFailing(oracle: readonly TestOutcome[], run: TestRunResult): string[] {
  if (run.kind !== "completed") return oracle.map((t) => t.name);
  if (!run.perTest) return run.tests.some((t) => t.status === "failed") ? oracle.map((t) => t.name) : [];
  const byName = new Map(run.tests.map((t) => [t.name, t.status]));
  const complete = namesEveryTest(run);
  return oracle
    .filter((t) => {
      const status = byName.get(t.name);
      return status === "failed" || (status === undefined && complete);
    })
    .map((t) => t.name);
}

/**
 * Compares a run of the whole suite with the baseline. A run that did not complete (build error, timeout) fixes
 * nothing and breaks every test that passed.
 */
export function compareWithBaseline(baseline: BaselineFacts, run: TestRunResult): SuiteComparison {
  const stillFailing = oracleStillFailing(baseline.oracle, run);
  if (run.kind !== "completed") {
    return { stillFailing, regressions: [...baseline.passingAtBaseline], passed: 0, total: baseline.totalAtBaseline };
  }
  const regressions = run.tests
    .filter((t) => t.status === "failed" && !baseline.failingAtBaseline.has(t.name))
    .map((t) => t.name);
  if (namesEveryTest(run)) {
    const ran = new Set(run.tests.map((t) => t.name));
    for (const name of baseline.passingAtBaseline) {
      if (!ran.has(name) && !regressions.includes(name)) regressions.push(`${name} (did not run)`);
    }
  }
  // Runners that only count (or crash before naming the rest) still show a shrinking suite in their totals.
  const missing = baseline.totalAtBaseline - run.counts.total;
  const namedMissing = regressions.filter((r) => r.endsWith("(did not run)")).length;
  if (missing > namedMissing) {
    const n = missing - namedMissing;
    regressions.push(`${n} test${n === 1 ? "" : "s"} that ran before did not run`);
  }
  return {
    stillFailing,
    regressions,
    passed: run.counts.total - run.counts.failed,
    total: run.counts.total,
  };
}

/** The verdict on a patch from its comparison with the baseline; undefined when it is neither kind. */
export function verdictOf(baseline: BaselineFacts, comparison: SuiteComparison): PatchVerdict | undefined {
  if (comparison.regressions.length > 0) return undefined;
  if (comparison.stillFailing.length === 0) return "repair";
  return comparison.stillFailing.length < baseline.oracle.length ? "partial" : undefined;
}
