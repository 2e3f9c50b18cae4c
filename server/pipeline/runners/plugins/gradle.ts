import { join } from "node:path";
import type { RunnerPlugin } from "./plugin.js";
import { RANK, junitXmlOutcomes, makeCommand, readXmlReports } from "./shared.js";

/** Gradle's test task, read from its XML reports (no selection: `--tests` filters differ per plugin setup). */
export const gradleRunner: RunnerPlugin = {
  kind: "gradle",
  canSelect: false,
  perTestDeadline: false,
  detection: [
    {
      rank: RANK.gradle,
      detect: (workspace) => {
        for (const gradle of ["build.gradle", "build.gradle.kts"]) {
          if (!workspace.exists(gradle)) continue;
          const wrapper = workspace.exists("gradlew") ? "./gradlew" : "gradle";
          return Promise.resolve(makeCommand("gradle", `${wrapper} test --offline`, gradle, false));
        }
        return Promise.resolve(undefined);
      },
    },
  ],
  invocation(command, options) {
    const reports = join(options.cwd, "build", "test-results", "test");
    return {
      shell: `rm -rf build/test-results; ${command.command}`,
      env: { ...(options.env ?? {}) },
      parse: async () => junitXmlOutcomes(await readXmlReports(reports)),
      buildFailed: (output) => /Compilation failed|compileJava FAILED|compileTestJava FAILED/.test(output),
    };
  },
};
