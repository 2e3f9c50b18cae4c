import { join } from "node:path";
import type { RunnerPlugin } from "./plugin.js";
import {
  RANK,
  escapeRegExp,
  genericBuildFailed,
  junitXmlOutcomes,
  makeCommand,
  readIfExists,
  selection,
  shellQuote,
  unique,
} from "./shared.js";

const CTEST_COMMAND =
  "cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug > /dev/null && cmake --build build && ctest --test-dir build --output-on-failure";

/** CMake projects with tests: built, then run by ctest with a JUnit report and `-R` selection. */
export const ctestRunner: RunnerPlugin = {
  kind: "ctest",
  canSelect: true,
  perTestDeadline: false,
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
    if (only) shell += ` -R ${shellQuote(`^(${unique(only.map((t) => escapeRegExp(t.name))).join("|")})$`)}`;
    return {
      shell,
      env: { ...(options.env ?? {}) },
      parse: async () => junitXmlOutcomes(await readIfExists(report)),
      buildFailed: genericBuildFailed,
    };
  },
};
