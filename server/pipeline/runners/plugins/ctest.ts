import { join } from "node:path";
import type { ParsedOutcomes } from "../outcomes.js";
import { deadlineMessage, formatSeconds, type RunnerPlugin } from "./plugin.js";
import {
  RANK,
  escapeRegExp,
  genericBuildFailed,
  junitXmlOutcomes,
  makeCommand,
  readIfExists,
  leafNames,
  selection,
  shellQuote,
} from "./shared.js";

const CTEST_COMMAND =
  "cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug > /dev/null && cmake --build build && ctest --test-dir build --output-on-failure";

/** ctest's report repeats each test's name as its class: the test is called by its name alone, as ctest calls it. */
function testNames(parsed: ParsedOutcomes | undefined): ParsedOutcomes | undefined {
  if (!parsed) return parsed;
  return {
    ...parsed,
    tests: parsed.tests.map((t) =>
      t.selector?.unit === t.selector?.test
        ? { ...t, name: t.selector?.test ?? t.name, selector: { test: t.selector?.test ?? t.name } }
        : t,
    ),
  };
}

/**
 * Tests that ctest stopped at their deadline: its JUnit report calls them plain failures, its summary names them
 * `NAME (Timeout)`; they get the deadline's message, as in every runner.
 */
function markTimeouts(parsed: ParsedOutcomes | undefined, stdout: string, seconds: number): ParsedOutcomes | undefined {
  if (!parsed) return parsed;
  const timedOut = new Set([...stdout.matchAll(/^\s*\d+ - (.+?) \(Timeout\)\s*$/gm)].map((m) => m[1]!));
  if (timedOut.size === 0) return parsed;
  return {
    ...parsed,
    tests: parsed.tests.map((t) =>
      t.status === "failed" && timedOut.has(t.selector?.test ?? t.name)
        ? { ...t, message: [deadlineMessage(seconds), t.message].filter(Boolean).join("\n") }
        : t,
    ),
  };
}

/**
 * CMake projects with tests: built (incrementally: the build folder stays in the scratch copy, and CMake tracks
 * header dependencies), then run by ctest with a JUnit report, `-R` selection and `--timeout` as the per-test
 * deadline (a test past it fails and the others still run). ctest orders tests by its own cost data, not as asked,
 * so it does not offer stopping at the first failure.
 */
export const ctestRunner: RunnerPlugin = {
  kind: "ctest",
  canSelect: true,
  perTestDeadline: true,
  matchesCommand: (command) => /^ctest\b/.test(command),
  detection: [
    {
      rank: RANK.cmake,
      detect: async (workspace) => {
        const cmake = await workspace.read("CMakeLists.txt");
        return cmake && /\b(enable_testing|add_test)\s*\(/.test(cmake)
          ? makeCommand("ctest", CTEST_COMMAND, "CMakeLists.txt", true)
          : undefined;
      },
    },
  ],
  invocation(command, options) {
    const only = selection(command, options);
    const report = join(options.reportDir, "ctest.xml");
    let shell = `${command.command} --output-junit ${shellQuote(report)}`;
    if (only) shell += ` -R ${shellQuote(`^(${leafNames(only).map(escapeRegExp).join("|")})$`)}`;
    const deadline = options.testDeadlineSeconds;
    if (deadline !== undefined) shell += ` --timeout ${formatSeconds(deadline)}`;
    return {
      shell,
      env: { ...(options.env ?? {}) },
      parse: async (stdout) => {
        const parsed = testNames(junitXmlOutcomes(await readIfExists(report)));
        return deadline === undefined ? parsed : markTimeouts(parsed, stdout, deadline);
      },
      buildFailed: genericBuildFailed,
    };
  },
};
