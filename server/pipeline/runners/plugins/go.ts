import { goCoverage } from "../../localise/go-coverage.js";
import type { ParsedOutcomes } from "../outcomes.js";
import { goBuildFailed, parseGoTestJson } from "../parse/go-json.js";
import { deadlineMessage, formatSeconds, type RunnerPlugin } from "./plugin.js";
import { RANK, escapeRegExp, leafNames, makeCommand, selection, shellQuote } from "./shared.js";

/**
 * go test with -json events and `-run` selection; each candidate compiles once, against the job's shared build
 * cache (GOCACHE, see ScratchCopy.env), so only the changed package and its dependents are rebuilt. The deadline
 * is `-timeout`, which bounds a whole test binary: a binary that runs past it panics naming the test it was
 * running, which is reported failed with the deadline's message (the package's later tests do not run), so the
 * deadline derives from the slowest binary of the baseline (`deadlinePerBinary`). `-failfast` stops one package's
 * binary only and runs tests in source order, not in the order asked, so it does not offer stopping at the first
 * failure.
 */
export const goRunner: RunnerPlugin = {
  kind: "go",
  canSelect: true,
  perTestDeadline: true,
  deadlinePerBinary: true,
  matchesCommand: (command) => /^go\s+test\b/.test(command),
  detection: [
    {
      rank: RANK.goMod,
      detect: (workspace) =>
        Promise.resolve(
          workspace.exists("go.mod") ? makeCommand("go", "go test -json -count=1 ./...", "go.mod", true) : undefined,
        ),
    },
  ],
  invocation(command, options) {
    const only = selection(command, options);
    // Flags go right after `go test` (before the packages); function replacers keep `$` in patterns literal.
    const flags: string[] = [];
    if (!/\s-count[= ]/.test(command.command)) flags.push("-count=1");
    if (!/\s-json\b/.test(command.command)) flags.push("-json");
    if (only) flags.push(`-run ${shellQuote(`^(${leafNames(only).map(escapeRegExp).join("|")})$`)}`);
    // A -timeout of the user's own comes later on the command line, and wins.
    const deadline = /\s-timeout[= ]/.test(command.command) ? undefined : options.testDeadlineSeconds;
    if (deadline !== undefined) flags.push(`-timeout ${formatSeconds(deadline)}s`);
    const shell =
      flags.length === 0
        ? command.command
        : command.command.replace(/^go\s+test\b/, () => `go test ${flags.join(" ")}`);
    return {
      shell,
      env: { ...(options.env ?? {}) },
      // No events at all is a module without tests (or a build failure, which buildFailed recognises).
      parse: (stdout) => {
        const parsed = parseGoTestJson(stdout);
        return Promise.resolve(deadline === undefined ? parsed : markTimedOut(parsed, deadline));
      },
      buildFailed: (output) => goBuildFailed(output),
    };
  },
  coverage: {
    // Per-test coverage needs one run per test, after the baseline: nothing to add to the baseline run itself.
    prepare: () => Promise.resolve({ env: {} }),
    collect: (context, inputs) =>
      goCoverage(inputs.run.tests, {
        cwd: context.scratchRoot,
        userRoot: context.userRoot,
        scratchDir: context.scratchDir,
        env: context.env,
        timeoutMs: context.timeoutMs,
        signal: context.signal,
        failing: inputs.oracleNames,
      }),
  },
};

/** What a test binary prints when it runs past `-timeout`; test2json gives it to the test that was running. */
const TIMED_OUT = /^panic: test timed out after /m;

/** The test a binary was running when its `-timeout` ended it fails with the deadline's message. */
function markTimedOut(parsed: ParsedOutcomes, seconds: number): ParsedOutcomes {
  return {
    ...parsed,
    tests: parsed.tests.map((t) =>
      t.status === "failed" && TIMED_OUT.test(t.message)
        ? { ...t, message: `${deadlineMessage(seconds)}\n${t.message}` }
        : t,
    ),
  };
}
