import { join } from "node:path";
import { parseJestJson } from "../parse/json-reporters.js";
import type { TestCommand } from "../test-command.js";
import { jsRunnerWarmMode, npmRunnerInProcess } from "../warm/js-runner-warm.js";
import type { Invocation, InvocationOptions, RunnerPlugin } from "./plugin.js";
import {
  RANK,
  escapeRegExp,
  genericBuildFailed,
  leafNames,
  makeCommand,
  readIfExists,
  selection,
  shellQuote,
} from "./shared.js";

/** vitest and jest write the same JSON report; only their flags differ. */
function jestLikeInvocation(command: TestCommand, options: InvocationOptions): Invocation {
  const only = selection(command, options);
  const report = join(options.reportDir, "report.json");
  const runner = command.kind === "vitest" ? "vitest" : "jest";
  const reportArgs =
    runner === "vitest" ? ["--reporter=json", `--outputFile=${report}`] : ["--json", `--outputFile=${report}`];
  const pattern = only ? leafNames(only).map(escapeRegExp).join("|") : undefined;
  const filterArgs = pattern !== undefined ? ["-t", pattern] : [];
  // The same arguments as npm passes them to the runner, unquoted, for a warm worker.
  const inProcess =
    command.command.trim() === "npm test"
      ? npmRunnerInProcess(options.cwd, runner, [...reportArgs, ...filterArgs])
      : undefined;
  return {
    shell: [command.command, "--silent", "--", ...[...reportArgs, ...filterArgs].map(shellQuote)].join(" "),
    env: { ...(options.env ?? {}) },
    async parse() {
      const json = await readIfExists(report);
      if (json === undefined) return undefined;
      const tests = parseJestJson(json, options.cwd);
      return tests.length > 0 ? { tests } : undefined;
    },
    buildFailed: genericBuildFailed,
    ...(inProcess ? { inProcess } : {}),
  };
}

/** A runner named by a package.json test script that is that runner's single command. */
function packageScriptRunner(kind: "vitest" | "jest", script: RegExp): RunnerPlugin {
  return {
    kind,
    canSelect: true,
    perTestDeadline: false,
    detection: [
      {
        rank: RANK.packageJsonRunner,
        detect: async (workspace) => {
          const single = await workspace.singleNpmTestScript();
          return single !== undefined && script.test(single)
            ? makeCommand(kind, "npm test", "package.json scripts.test", true)
            : undefined;
        },
      },
    ],
    invocation: jestLikeInvocation,
    warm: jsRunnerWarmMode(kind),
  };
}

export const vitestRunner = packageScriptRunner("vitest", /^\s*vitest\b/);
export const jestRunner = packageScriptRunner("jest", /^\s*jest\b/);
