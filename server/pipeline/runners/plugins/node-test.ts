import { nodePerTestCoverage } from "../../localise/node-coverage.js";
import type { TestCommand } from "../test-command.js";
import { nodeTestInProcess, nodeTestWarmMode } from "../warm/node-test-warm.js";
import { readPerFileV8Coverage, v8CoverageHook } from "./node-coverage-hook.js";
import type { Invocation, InvocationOptions, RunnerPlugin } from "./plugin.js";
import {
  RANK,
  escapeRegExp,
  genericBuildFailed,
  leafNames,
  makeCommand,
  parseTapOutcomes,
  selection,
  shellQuote,
} from "./shared.js";

const NODE_TEST = /^\s*node\s+(.*\s)?--test\b/;

function invocation(command: TestCommand, options: InvocationOptions): Invocation {
  const only = selection(command, options);
  const regExps = only ? leafNames(only).map((t) => `^${escapeRegExp(t)}$`) : [];
  const patterns = regExps.map((r) => `--test-name-pattern=${shellQuote(r)}`);
  const base = command.command.replace(/^\s*node\s+/, "");
  const inProcess = nodeTestInProcess(
    command.command,
    regExps.map((r) => `--test-name-pattern=${r}`),
  );
  return {
    shell: ["node --test-reporter=tap", ...patterns, base].filter((part) => part !== "").join(" "),
    env: { ...(options.env ?? {}) },
    parse: (stdout) => Promise.resolve(parseTapOutcomes(stdout)),
    buildFailed: genericBuildFailed,
    ...(inProcess ? { inProcess } : {}),
  };
}

/**
 * node --test, run directly (not through npm) so that tests can be selected by name. Its `--test-timeout` bounds
 * a whole test file's process as well as each test, and a test file stopped by it reports the file, not the test
 * that hung: so it gives no per-test deadline here, and a hanging run is one failing test.
 */
export const nodeTestRunner: RunnerPlugin = {
  kind: "node-test",
  canSelect: true,
  perTestDeadline: false,
  matchesCommand: (command) => NODE_TEST.test(command) && !/[;&|]/.test(command),
  detection: [
    {
      // A script that is exactly `node --test ...` is run directly so that failing tests can be selected by name.
      rank: RANK.packageJsonNodeTest,
      detect: async (workspace) => {
        const script = await workspace.singleNpmTestScript();
        return script !== undefined && NODE_TEST.test(script)
          ? makeCommand("node-test", script.trim(), "package.json scripts.test", true)
          : undefined;
      },
    },
    {
      rank: RANK.nodeTestFiles,
      detect: async (workspace) =>
        (await workspace.files()).some((f) => /\.test\.(m?js|cjs)$/.test(f) || /\/test\/.*\.(m?js|cjs)$/.test(f))
          ? makeCommand("node-test", "node --test", "node:test files", true)
          : undefined,
    },
  ],
  invocation,
  warm: nodeTestWarmMode,
  coverage: {
    ...v8CoverageHook,
    async collect(context, inputs) {
      // Per-test coverage (one run per test, for small suites) when it can be had; per-file V8 coverage otherwise.
      const perTest = await nodePerTestCoverage(inputs.run.tests, {
        command: context.command,
        cwd: context.scratchRoot,
        userRoot: context.userRoot,
        scratchDir: context.scratchDir,
        env: context.env,
        timeoutMs: context.timeoutMs,
        signal: context.signal,
        failing: inputs.oracleNames,
        isTestFile: (f) => context.sources.isTest(f),
        isSourceFile: (f) => context.sources.has(f),
      });
      return perTest.length > 0 ? perTest : readPerFileV8Coverage(context, inputs);
    },
  },
};
