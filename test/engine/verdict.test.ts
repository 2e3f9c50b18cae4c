import { describe, expect, test } from "vitest";
import type { TestOutcome, TestRunResult } from "../../server/pipeline/runners/outcomes.js";
import { compareWithBaseline, verdictOf, type BaselineFacts } from "../../server/pipeline/verdict.js";

const failed = (name: string): TestOutcome => ({ name, status: "failed", message: "" });
const passed = (name: string): TestOutcome => ({ name, status: "passed", message: "" });

function run(tests: TestOutcome[], overrides: Partial<TestRunResult> = {}): TestRunResult {
  return {
    kind: "completed",
    exitCode: tests.some((t) => t.status === "failed") ? 1 : 0,
    tests,
    perTest: true,
    counts: { total: tests.length, failed: tests.filter((t) => t.status === "failed").length },
    output: "",
    seconds: 0.1,
    ...overrides,
  };
}

// Two failing tests (a, b), three passing ones (c, d, e); f failed once and passed on a re-run (flaky).
const BASELINE: BaselineFacts = {
  oracle: [failed("a"), failed("b")],
  failingAtBaseline: new Set(["a", "b", "f"]),
  passingAtBaseline: ["c", "d", "e", "f"],
  totalAtBaseline: 6,
};

describe("the one definition of a repair", () => {
  test.each([
    [
      "every failing test passes, nothing broke: a repair",
      [passed("a"), passed("b"), passed("c"), passed("d"), passed("e"), passed("f")],
      "repair",
    ],
    [
      "some failing tests pass, nothing broke: partial",
      [passed("a"), failed("b"), passed("c"), passed("d"), passed("e"), passed("f")],
      "partial",
    ],
    [
      "a flaky test failing again is no regression",
      [passed("a"), passed("b"), passed("c"), passed("d"), passed("e"), failed("f")],
      "repair",
    ],
    [
      "the failing tests pass but one that passed fails: neither",
      [passed("a"), passed("b"), failed("c"), passed("d"), passed("e"), passed("f")],
      undefined,
    ],
    [
      "partial with a regression: neither",
      [passed("a"), failed("b"), failed("c"), passed("d"), passed("e"), passed("f")],
      undefined,
    ],
    [
      "nothing fixed: neither",
      [failed("a"), failed("b"), passed("c"), passed("d"), passed("e"), passed("f")],
      undefined,
    ],
    [
      "a passing test that no longer runs is a regression",
      [passed("a"), passed("b"), passed("c"), passed("d"), passed("f")],
      undefined,
    ],
  ] as const)("%s", (_name, tests, verdict) => {
    expect(verdictOf(BASELINE, compareWithBaseline(BASELINE, run([...tests])))).toBe(verdict);
  });

  test("a run that counts fewer tests than the baseline, without naming them, has regressions", () => {
    // JUnitCore names failures only: a crash that stops the suite shows only in the count.
    const comparison = compareWithBaseline(BASELINE, run([], { counts: { total: 2, failed: 0 } }));
    expect(comparison.regressions).toEqual(["4 tests that ran before did not run"]);
    expect(verdictOf(BASELINE, comparison)).toBeUndefined();
  });

  test("a run that did not complete fixes nothing and breaks everything that passed", () => {
    const comparison = compareWithBaseline(BASELINE, run([], { kind: "timeout", counts: { total: 0, failed: 0 } }));
    expect(comparison.stillFailing).toEqual(["a", "b"]);
    expect(comparison.regressions).toEqual(["c", "d", "e", "f"]);
  });

  test("a runner that only reports an exit code judges the whole command", () => {
    const whole: BaselineFacts = {
      oracle: [failed("make test")],
      failingAtBaseline: new Set(["make test"]),
      passingAtBaseline: [],
      totalAtBaseline: 1,
    };
    const pass = run([passed("make test")], { perTest: false });
    const fail = run([failed("make test")], { perTest: false });
    expect(verdictOf(whole, compareWithBaseline(whole, pass))).toBe("repair");
    expect(verdictOf(whole, compareWithBaseline(whole, fail))).toBeUndefined();
  });
});
