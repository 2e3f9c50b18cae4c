/** Per-test results as every runner parser reports them. */

export type TestStatus = "passed" | "failed" | "skipped";

export interface TestOutcome {
  /** Unique, stable name of the test within the project (e.g. a pytest node id, `pkg.TestX`, `Class.method`). */
  readonly name: string;
  readonly status: TestStatus;
  /** Failure message and trace text as the runner printed it (empty for passing tests). */
  readonly message: string;
  /** The test's file as the runner reported it (relative or absolute), when known. */
  readonly file?: string;
  /** How long the test ran, in seconds, when the runner reports it (per-test deadlines derive from it). */
  readonly seconds?: number;
  /**
   * What a runner needs to select this test alone: a pytest node id, a Go test function and package, a Java class,
   * a cargo test path. Runners that cannot select tests ignore it.
   */
  readonly selector?: TestSelector;
}

export interface TestSelector {
  /** The leaf name the runner filters by (test function, method, TAP description). */
  readonly test: string;
  /** The enclosing unit: Python file, Go package, Java class, cargo test binary. */
  readonly unit?: string;
}

/** How a test run ended. */
export type RunKind =
  /** The runner ran and reported (per test, or by exit code). */
  | "completed"
  /** The code did not build: no test ran. */
  | "build-error"
  | "timeout"
  | "cancelled"
  /** The command could not be started, or the shell could not find it (exit 126/127). */
  | "not-found";

export interface TestRunResult {
  readonly kind: RunKind;
  readonly exitCode: number | null;
  /** Per-test outcomes; one pseudo-test named after the command when the runner reports only an exit code. */
  readonly tests: readonly TestOutcome[];
  /** Whether `tests` came from per-test output (false: one pseudo-test judged by the exit code). */
  readonly perTest: boolean;
  /**
   * Counts when the runner reports more than it names (JUnitCore names failures only): total and failed tests.
   * Equal to the counts of `tests` otherwise.
   */
  readonly counts: { readonly total: number; readonly failed: number };
  /** Standard output and error, capped. */
  readonly output: string;
  readonly seconds: number;
  /** A one-line reason for build errors, timeouts and commands not found. */
  readonly problem?: string;
  /** Processes the run left behind (daemons its tests started), found by the run's mark and killed. */
  readonly leftovers?: number;
}

/** Result of parsing a runner's output: per-test outcomes and, for runners that only count passes, the totals. */
export interface ParsedOutcomes {
  readonly tests: TestOutcome[];
  /** Total tests run, when the runner reports a count beyond the named tests. */
  readonly total?: number;
}
