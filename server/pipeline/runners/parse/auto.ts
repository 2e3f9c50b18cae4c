import type { ParsedOutcomes, TestOutcome, TestStatus } from "../outcomes.js";
import { looksLikeCargoTest, parseCargoTest } from "./cargo.js";
import { looksLikeJUnitCore, parseJUnitCore } from "./junitcore.js";
import { looksLikeTap, parseTap } from "./tap.js";

/** `go test -v` and similar `--- PASS: Name` / `--- FAIL: Name` lines. */
function parseGoVerbose(output: string): TestOutcome[] {
  const tests = new Map<string, TestStatus>();
  for (const m of output.matchAll(/^\s*--- (PASS|FAIL|SKIP): (\S+)/gm)) {
    tests.set(m[2]!, m[1] === "PASS" ? "passed" : m[1] === "FAIL" ? "failed" : "skipped");
  }
  return [...tests].map(([name, status]) => ({ name, status, message: "", selector: { test: name } }));
}

/** pytest's `-rA` short summary lines: `PASSED path::test` and `FAILED path::test - message`. */
function parsePytestSummary(output: string): TestOutcome[] {
  const tests = new Map<string, TestOutcome>();
  for (const m of output.matchAll(/^(PASSED|FAILED|ERROR|SKIPPED) (\S+::\S+)(?: - (.*))?$/gm)) {
    const status: TestStatus = m[1] === "PASSED" ? "passed" : m[1] === "SKIPPED" ? "skipped" : "failed";
    tests.set(m[2]!, { name: m[2]!, status, message: m[3] ?? "", selector: { test: m[2]! } });
  }
  return [...tests.values()];
}

/**
 * Recognises per-test results in the output of a command we did not choose the reporter for (`make test`, a
 * configured command): TAP, JUnitCore, libtest, `go test -v`, pytest summaries. Returns undefined when none is
 * found, and the caller falls back to the exit code.
 */
export function parseAnyTextOutput(output: string): ParsedOutcomes | undefined {
  if (looksLikeJUnitCore(output)) return parseJUnitCore(output);
  if (looksLikeCargoTest(output)) return { tests: parseCargoTest(output) };
  if (looksLikeTap(output)) {
    const tests = parseTap(output);
    if (tests.length > 0) return { tests };
  }
  const goTests = parseGoVerbose(output);
  if (goTests.length > 0) return { tests: goTests };
  const pytest = parsePytestSummary(output);
  if (pytest.length > 0) return { tests: pytest };
  return undefined;
}
