import { gcovCoverage } from "../../localise/gcov-coverage.js";
import type { CoverageHook, Invocation, InvocationOptions, RunnerPlugin } from "./plugin.js";
import type { TestCommand } from "../test-command.js";
import { RANK, genericBuildFailed, makeCommand, textParser } from "./shared.js";

/** Runs the command as it is and parses whatever it prints. */
function textInvocation(command: TestCommand, options: InvocationOptions): Invocation {
  return {
    shell: command.command,
    env: { ...(options.env ?? {}) },
    parse: textParser(),
    buildFailed: genericBuildFailed,
  };
}

/**
 * Per-case line coverage of C and C++ programs (gcov), read after the baseline in a private copy: the baseline
 * itself runs unchanged, so coverage never costs the user their results. Nothing when gcc or gcov is missing.
 */
const gcovHook: CoverageHook = {
  prepare: () => Promise.resolve({ env: {} }),
  // The extra instrumented run is paid only where there is C or C++ to measure (custom commands may be anything).
  collect: (context, inputs) =>
    !context.sources.files.some((f) => /\.(c|cc|cpp|cxx)$/.test(f))
      ? Promise.resolve(undefined)
      : gcovCoverage({
          cwd: context.scratchRoot,
          userRoot: context.userRoot,
          command: context.command.command,
          env: context.env,
          timeoutMs: context.timeoutMs,
          signal: context.signal,
          failing: inputs.oracleNames,
        }),
};

/** `make test`: whatever it prints (TAP from C harnesses, JUnitCore from Java Makefiles) is parsed as text. */
export const makeRunner: RunnerPlugin = {
  kind: "make",
  canSelect: false,
  perTestDeadline: false,
  matchesCommand: (command) => /^make\b.*\btest\b/.test(command),
  detection: [
    {
      rank: RANK.makefile,
      detect: async (workspace) => {
        for (const name of ["GNUmakefile", "Makefile", "makefile"]) {
          const text = await workspace.read(name);
          if (text === undefined) continue;
          return /^test\s*:/m.test(text) ? makeCommand("make", "make test", "Makefile", false) : undefined;
        }
        return undefined;
      },
    },
  ],
  invocation: textInvocation,
  coverage: gcovHook,
};

/** A command no plug-in recognises: parsed as text, judged by its exit code when nothing per test is found. */
export const customRunner: RunnerPlugin = {
  kind: "custom",
  canSelect: false,
  perTestDeadline: false,
  detection: [],
  invocation: textInvocation,
  coverage: gcovHook,
};
