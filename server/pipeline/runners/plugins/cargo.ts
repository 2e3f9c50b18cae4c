import { rustCoverage } from "../../localise/rust-coverage.js";
import { cargoBuildFailed, parseCargoTest } from "../parse/cargo.js";
import type { TestOutcome } from "../outcomes.js";
import type { RunnerPlugin } from "./plugin.js";
import { RANK, leafNames, makeCommand, selection, shellQuote } from "./shared.js";

/** The cargo target flag of a test binary, from the source that libtest's `Running` line names. */
function targetFlag(unit: string | undefined): string | undefined {
  if (unit === "src/lib.rs") return "--lib";
  if (unit === "src/main.rs") return "--bins";
  const bin = /^src\/bin\/([\w-]+)(?:\.rs|\/main\.rs)$/.exec(unit ?? "")?.[1];
  if (bin) return `--bin ${shellQuote(bin)}`;
  const test = /^tests\/([\w-]+)(?:\.rs|\/main\.rs)$/.exec(unit ?? "")?.[1];
  return test ? `--test ${shellQuote(test)}` : undefined;
}

/**
 * The targets that hold the selected tests, so that a selected run builds and runs only their binaries (not the
 * library a second time for doc-tests, nor other test files): undefined when a test's binary is unknown or the
 * command already chooses targets. A candidate that breaks only another target (a doc-test, an example) passes
 * such a run; the full run that follows every selected pass, and cold confirmation, still fail it.
 */
function targetFlags(only: readonly TestOutcome[], command: string): string | undefined {
  if (/\s--(lib|bins?|tests?|examples?|benches|bench|doc|all-targets)\b/.test(command.split(" -- ")[0]!))
    return undefined;
  const flags = only.map((t) => targetFlag(t.selector?.unit));
  if (flags.some((f) => f === undefined)) return undefined;
  return [...new Set(flags)].join(" ");
}

/**
 * cargo test with `--no-fail-fast` and exact name filters. The worker's target folder (CARGO_TARGET_DIR, one per
 * scratch copy) keeps the incremental build across candidates, so a candidate recompiles only its crate. Stable
 * libtest has no per-test timeout, and cargo's fail-fast stops after a failing test binary, not a failing test,
 * in its own order: neither per-test deadlines nor stopping at the first failure are offered.
 */
export const cargoRunner: RunnerPlugin = {
  kind: "cargo",
  canSelect: true,
  perTestDeadline: false,
  matchesCommand: (command) => /^cargo\s+test\b/.test(command),
  detection: [
    {
      rank: RANK.cargoToml,
      detect: (workspace) =>
        Promise.resolve(
          workspace.exists("Cargo.toml")
            ? makeCommand("cargo", "cargo test --no-fail-fast", "Cargo.toml", true)
            : undefined,
        ),
    },
  ],
  invocation(command, options) {
    const only = selection(command, options);
    let shell = command.command;
    if (!/--no-fail-fast/.test(shell)) shell = shell.replace(/^cargo\s+test\b/, "cargo test --no-fail-fast");
    if (only) {
      const targets = targetFlags(only, shell);
      if (targets) shell = shell.replace(/^cargo\s+test\b/, () => `cargo test ${targets}`);
      const names = leafNames(only).map(shellQuote);
      shell = shell.includes(" -- ") ? `${shell} ${names.join(" ")} --exact` : `${shell} -- ${names.join(" ")} --exact`;
    }
    return {
      shell,
      env: { ...(options.env ?? {}), CARGO_TERM_COLOR: "never", RUST_BACKTRACE: "1" },
      parse: (stdout, stderr) => {
        const tests = parseCargoTest(`${stdout}\n${stderr}`);
        return Promise.resolve(tests.length > 0 ? { tests } : undefined);
      },
      buildFailed: cargoBuildFailed,
    };
  },
  coverage: {
    // Per-test coverage needs an instrumented build and one run per test, after the baseline: nothing to add to it.
    prepare: () => Promise.resolve({ env: {} }),
    collect: (context, inputs) =>
      rustCoverage({
        cwd: context.scratchRoot,
        scratchDir: context.scratchDir,
        userRoot: context.userRoot,
        env: context.env,
        timeoutMs: context.timeoutMs,
        signal: context.signal,
        failing: inputs.oracleNames,
        tests: inputs.run.tests.filter((t) => t.status !== "skipped").map((t) => t.name),
      }),
  },
};
