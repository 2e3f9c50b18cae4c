import { javaCoverage } from "../../localise/java-coverage.js";
import type { CoverageHook } from "./plugin.js";

/**
 * Per-test line coverage of plain-javac JUnit 4 projects (localise/java-coverage.ts), read after the baseline in
 * one extra instrumented run: the baseline itself runs unchanged, so coverage never costs the user their results.
 * Verdicts come from the baseline's oracle, and flaky tests are left out, as for every other runner.
 */
export const javaCoverageHook: CoverageHook = {
  prepare: () => Promise.resolve({ env: {} }),
  async collect(context, inputs) {
    const plan = context.command.java;
    if (!plan) return undefined;
    const entities = await javaCoverage({
      cwd: context.scratchRoot,
      userRoot: context.userRoot,
      privateParent: context.scratchDir,
      plan,
      env: context.env,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      isTestFile: (file) => context.sources.isTest(file),
    });
    return entities
      .filter((e) => !inputs.flaky.includes(e.name))
      .map((e) => ({ ...e, failed: inputs.oracleNames.has(e.name) }));
  },
};
