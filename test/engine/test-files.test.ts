import { describe, expect, test } from "vitest";
import { SourceFiles } from "../../server/pipeline/localise/source-files.js";
import type { TestOutcome, TestRunResult } from "../../server/pipeline/runners/outcomes.js";
import type { TestCommand } from "../../server/pipeline/runners/test-command.js";
import { testFilesFromRun } from "../../server/pipeline/test-files.js";

const ROOT = "/w";
const sources = () =>
  new SourceFiles(
    ROOT,
    ["/w/GCD.java", "/w/java_checks/junit/GcdChecks.java", "/w/calc.py", "/w/checks/verify_calc.py", "/w/main.c"].map(
      (f) => f,
    ),
  );

function run(tests: TestOutcome[]): TestRunResult {
  return {
    kind: "completed",
    exitCode: 1,
    tests,
    perTest: true,
    counts: { total: tests.length, failed: 1 },
    output: "",
    seconds: 1,
  };
}

const command = (text: string): TestCommand => ({ kind: "custom", command: text, source: "test", canSelect: false });

describe("test files known from the runner's own report", () => {
  test("JUnitCore names the class of a failing test, whatever its file is called", () => {
    const files = testFilesFromRun(
      run([{ name: "gcdOfPrimes(GcdChecks)", status: "failed", message: "" }]),
      command("java -cp . org.junit.runner.JUnitCore GcdChecks"),
      sources(),
    );
    expect([...files]).toEqual(["/w/java_checks/junit/GcdChecks.java"]);
  });

  test("a runner's unit and file name the test module", () => {
    const tests: TestOutcome[] = [
      {
        name: "verify_calc.py::test_add",
        status: "failed",
        message: "",
        selector: { test: "test_add", unit: "checks/verify_calc.py" },
      },
    ];
    expect([...testFilesFromRun(run(tests), command("pytest checks"), sources())]).toEqual([
      "/w/checks/verify_calc.py",
    ]);
  });

  test("files the command hands to a runner are tests; files it compiles are not", () => {
    const files = testFilesFromRun(
      run([]),
      command("gcc main.c -o main && python3 -m pytest checks/verify_calc.py"),
      sources(),
    );
    expect([...files]).toEqual(["/w/checks/verify_calc.py"]);
  });

  test("markTests makes isTest answer for every later caller", () => {
    const s = sources();
    expect(s.isTest("/w/java_checks/junit/GcdChecks.java")).toBe(false);
    s.markTests(["/w/java_checks/junit/GcdChecks.java"]);
    expect(s.isTest("/w/java_checks/junit/GcdChecks.java")).toBe(true);
    expect(s.isTest("/w/GCD.java")).toBe(false);
  });

  test("upper-case _TEST Java files are tests by name too", () => {
    const s = new SourceFiles(ROOT, ["/w/java_testcases/junit/GCD_TEST.java", "/w/GCD.java"]);
    expect(s.isTest("/w/java_testcases/junit/GCD_TEST.java")).toBe(true);
    expect(s.isTest("/w/GCD.java")).toBe(false);
  });
});
