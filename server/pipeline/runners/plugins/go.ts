import { goCoverage } from "../../localise/go-coverage.js";
import { goBuildFailed, parseGoTestJson } from "../parse/go-json.js";
import type { RunnerPlugin } from "./plugin.js";
import { RANK, escapeRegExp, leafNames, makeCommand, selection, shellQuote } from "./shared.js";

/**
 * go test with -json events and `-run` selection; each candidate compiles once, against the job's shared build
 * cache (GOCACHE, see ScratchCopy.env), so only the changed package and its dependents are rebuilt. Its `-timeout`
 * bounds a whole test binary (a timeout panics it and the package's later tests never run), so it gives no
 * per-test deadline here; `-failfast` stops one package's binary only and runs tests in source order, not in the
 * order asked, so it does not offer stopping at the first failure either.
 */
export const goRunner: RunnerPlugin = {
  kind: "go",
  canSelect: true,
  perTestDeadline: false,
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
    const shell =
      flags.length === 0
        ? command.command
        : command.command.replace(/^go\s+test\b/, () => `go test ${flags.join(" ")}`);
    return {
      shell,
      env: { ...(options.env ?? {}) },
      // No events at all is a module without tests (or a build failure, which buildFailed recognises).
      parse: (stdout) => Promise.resolve(parseGoTestJson(stdout)),
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
