import { javaCoverage } from "../../localise/java-coverage.js";
import type { CoverageHook } from "./plugin.js";

/** The coverage run may take this many times the baseline run (which compiled and ran the same code)... */
const COVERAGE_RUN_FACTOR = 5;
/** ...and at least this long, so that a quick baseline on a busy machine still leaves it room. */
const MIN_COVERAGE_RUN_MS = 60_000;

/**
 * Per-test line coverage of plain-javac JUnit 4 projects (localise/java-coverage.ts), read after the baseline in
 * one extra instrumented run: the baseline itself runs unchanged, so coverage never costs the user their results.
 * Verdicts come from the baseline's oracle, and flaky tests are left out, as for every other runner.
 */
export const javaCoverageHook: CoverageHook = {
  prepare: () => Promise.resolve({ env: {} }),
  async collect(context, inputs) {
    const plan = context.command.java;
    // A baseline without per-test results (a run that never finished, judged as one pseudo-test) would only be
    // repeated, at the cost of its whole timeout.
    if (!plan || !inputs.run.perTest) return undefined;
    const entities = await javaCoverage({
      cwd: context.scratchRoot,
      userRoot: context.userRoot,
      privateParent: context.scratchDir,
      plan,
      env: context.env,
      timeoutMs: Math.min(
        context.timeoutMs,
        Math.max(MIN_COVERAGE_RUN_MS, COVERAGE_RUN_FACTOR * inputs.run.seconds * 1000),
      ),
      signal: context.signal,
      isTestFile: (file) => context.sources.isTest(file),
    });
    return entities
      .filter((e) => !inputs.flaky.includes(e.name))
      .map((e) => ({ ...e, failed: inputs.oracleNames.has(e.name) }));
  },
};
