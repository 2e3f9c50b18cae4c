import type { SpectrumEntity } from "./localise/coverage.js";
import type { SourceFiles } from "./localise/source-files.js";
import type { TestOutcome, TestRunResult } from "./runners/outcomes.js";
import { deadlineMessage } from "./runners/plugins/plugin.js";
import type { CoverageContext, CoverageHook, RunnerPlugin } from "./runners/plugins/plugin.js";
import { runnerFor } from "./runners/plugins/table.js";
import { runTests, type CandidateRunSettings, type RunTestsOptions } from "./runners/run-tests.js";
import type { TestCommand } from "./runners/test-command.js";
import { moduleLogger, type Logger } from "../core/types.js";
import type { Worker } from "./validate/pool.js";
import { errorMessage } from "../core/error-message.js";

/** What the unmodified code does under the test command. */
export interface Baseline {
  readonly run: TestRunResult;
  /** Failing tests that failed again on a re-run: the oracle every candidate must fix. */
  readonly oracle: readonly TestOutcome[];
  /** Failing tests that passed on the re-run. */
  readonly flaky: readonly string[];
  /** Every test that failed in the first run. */
  readonly failingAtBaseline: ReadonlySet<string>;
  readonly passing: readonly TestOutcome[];
  /** Per-test coverage, when the runner could collect it cheaply. */
  readonly coverage?: readonly SpectrumEntity[];
  /** Seconds each test ran, by name, for runners that report durations (hanging tests left out). */
  readonly testSeconds: ReadonlyMap<string, number>;
  /**
   * Tests that did not finish: stopped by a per-test deadline, or, for runners without one, the whole command as
   * one synthetic test. They are failing tests whose oracle is "terminates and passes".
   */
  readonly hanging: readonly string[];
  /** What every candidate run needs on top of the test command: per-test deadlines, the termination test. */
  readonly candidateRuns: CandidateRunSettings;
}

export interface BaselineOptions {
  readonly command: TestCommand;
  readonly worker: Worker;
  readonly root: string;
  readonly sources: SourceFiles;
  /** Bound of the whole run (the caller bounds it by the job's budget). */
  readonly timeoutMs: number;
  /**
   * Per-test deadline of the run that looks for hanging tests, once a run has exceeded `timeoutMs`; by default
   * a quarter of `timeoutMs`, between 1 and 30 s.
   */
  readonly hangDeadlineSeconds?: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** A candidate's per-test deadline: this multiple of the slowest baseline test, never below the floor. */
const CANDIDATE_DEADLINE_FACTOR = 5;
/** The floor leaves room for a loaded machine: a correct candidate must not fail by a deadline. */
const MIN_CANDIDATE_DEADLINE_SECONDS = 5;

function defaultHangDeadlineSeconds(timeoutMs: number): number {
  return Math.min(30, Math.max(1, Math.round(timeoutMs / 4000)));
}

/**
 * The per-test deadline of candidate runs: a generous multiple of the slowest test of the baseline (hanging tests
 * aside), so that a candidate that still loops forever costs one short deadline, not the whole run's timeout.
 */
export function candidateTestDeadlineSeconds(testSeconds: ReadonlyMap<string, number>): number {
  const slowest = Math.max(0, ...testSeconds.values());
  return Math.max(MIN_CANDIDATE_DEADLINE_SECONDS, Math.ceil(CANDIDATE_DEADLINE_FACTOR * slowest));
}

/**
 * The candidates' deadline for a runner: from the slowest test, or, for runners whose deadline bounds a whole test
 * binary, from the slowest binary (its tests' seconds added up).
 */
export function candidateDeadlineFor(
  runner: RunnerPlugin,
  testSeconds: ReadonlyMap<string, number>,
  tests: readonly TestOutcome[],
): number {
  if (!runner.deadlinePerBinary) return candidateTestDeadlineSeconds(testSeconds);
  const binaries = new Map<string, number>();
  for (const t of tests) {
    const seconds = testSeconds.get(t.name);
    if (seconds === undefined) continue;
    const binary = t.selector?.unit ?? t.name;
    binaries.set(binary, (binaries.get(binary) ?? 0) + seconds);
  }
  return candidateTestDeadlineSeconds(binaries);
}

/** Seconds per test, for the tests whose runner reported them, hanging ones left out. */
function secondsByTest(tests: readonly TestOutcome[], hanging: readonly string[]): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const t of tests) if (t.seconds !== undefined && !hanging.includes(t.name)) seconds.set(t.name, t.seconds);
  return seconds;
}

/**
 * Runs the whole suite once on the unmodified code (in the worker's scratch copy, with the runner's cheap coverage
 * hooks: the pytest plugin, NODE_V8_COVERAGE), re-runs the failing tests once to tell consistent failures from
 * flaky ones, and reads the coverage. A run that exceeds its timeout is run again with per-test deadlines, where
 * the runner has them, so that the tests that hang become failing tests; otherwise the whole command is one
 * failing test.
 */
export async function runBaseline(options: BaselineOptions): Promise<Baseline> {
  const { command, worker } = options;
  const runner = runnerFor(command.kind);
  const copy = worker.copy;
  const base: RunTestsOptions = {
    cwd: copy.root,
    displayRoot: options.root,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    env: copy.env,
    reportParent: copy.dir,
  };
  const context: CoverageContext = {
    command,
    scratchRoot: copy.root,
    scratchDir: copy.dir,
    userRoot: options.root,
    env: copy.env,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    sources: options.sources,
  };
  const hook = runner.coverage;
  try {
    const hooks = hook ? await hook.prepare(context) : { env: {} };
    const withHooks: RunTestsOptions = {
      ...base,
      env: { ...copy.env, ...hooks.env },
      ...(hooks.pytestArgs ? { pytestArgs: hooks.pytestArgs } : {}),
    };
    worker.runs++;
    let run = await runTests(command, withHooks);
    // A runner whose hooks broke the run (the pytest plugin missing from a bundle) cannot have per-test deadlines
    // either: they come from the same plugin.
    const hooksBroke = hook?.brokeTheRun?.(run) ?? false;
    if (hooksBroke) {
      moduleLogger(options.logger, "repair").warn(
        `the ${command.kind} run with coverage hooks reported no tests; running without them`,
      );
      run = await runTests(command, base);
    }
    // Runners with per-test deadlines get one on every candidate run, so that a candidate that loops forever costs
    // one short deadline rather than the whole run's timeout.
    let settings: CandidateRunSettings =
      runner.perTestDeadline && !hooksBroke && run.kind === "completed" && run.perTest
        ? { testDeadlineSeconds: candidateDeadlineFor(runner, secondsByTest(run.tests, []), run.tests) }
        : {};
    let hanging: string[] = [];
    if (run.kind === "timeout") {
      ({ run, settings, hanging } = await findHangingTests(options, runner, withHooks, run));
    }
    return await judge(options, run, settings, hanging, base, hook, context);
  } finally {
    await hook?.cleanup?.(context);
  }
}

/**
 * After a run exceeded its timeout: runs the suite again with a per-test deadline (runners that have one), so that
 * the tests that hang fail and the rest report; or, for runners without one (or when even that run does not end),
 * turns the run into a completed run of one synthetic failing test, the whole command.
 */
async function findHangingTests(
  options: BaselineOptions,
  runner: RunnerPlugin,
  runOptions: RunTestsOptions,
  timedOut: TestRunResult,
): Promise<{ run: TestRunResult; settings: CandidateRunSettings; hanging: string[] }> {
  const limit = Math.round(options.timeoutMs / 1000);
  if (runner.perTestDeadline) {
    const deadline = options.hangDeadlineSeconds ?? defaultHangDeadlineSeconds(options.timeoutMs);
    moduleLogger(options.logger, "repair").info(
      `the tests did not finish within ${limit} s; looking for tests that hang`,
    );
    const run = await runTests(options.command, { ...runOptions, testDeadlineSeconds: deadline });
    if (run.kind === "completed" && run.perTest) {
      const stopped = deadlineMessage(deadline);
      const hanging = run.tests.filter((t) => t.status === "failed" && t.message.includes(stopped)).map((t) => t.name);
      const others = secondsByTest(run.tests, hanging);
      return { run, settings: { testDeadlineSeconds: candidateDeadlineFor(runner, others, run.tests) }, hanging };
    }
    if (run.kind === "cancelled") return { run, settings: {}, hanging: [] };
  }
  const name = terminationTestName(options.command);
  const synthetic: TestOutcome = { name, status: "failed", message: deadlineMessage(limit) };
  const run: TestRunResult = {
    ...timedOut,
    kind: "completed",
    tests: [synthetic],
    perTest: false,
    counts: { total: 1, failed: 1 },
  };
  return { run, settings: { terminationTest: name }, hanging: [name] };
}

/** The synthetic test of a command that does not finish: it passes in every run that terminates. */
export function terminationTestName(command: TestCommand): string {
  return `${command.command} (terminates)`;
}

/** Splits a run into oracle, flaky and passing tests, and reads the coverage. */
async function judge(
  options: BaselineOptions,
  run: TestRunResult,
  candidateRuns: CandidateRunSettings,
  hanging: readonly string[],
  base: RunTestsOptions,
  hook: CoverageHook | undefined,
  context: CoverageContext,
): Promise<Baseline> {
  const failing = run.tests.filter((t) => t.status === "failed");
  const passing = run.tests.filter((t) => t.status === "passed");
  const failingAtBaseline = new Set(failing.map((t) => t.name));
  const testSeconds = secondsByTest(run.tests, hanging);
  const common = { failingAtBaseline, passing, testSeconds, hanging, candidateRuns };
  if (run.kind !== "completed" || failing.length === 0) return { run, oracle: [], flaky: [], ...common };

  // Tests that hung are not re-run (each would cost its deadline again), nor is a synthetic whole-command test
  // (that would cost the whole timeout again): hanging is taken as consistent.
  const toRerun = failing.filter((t) => !hanging.includes(t.name));
  let oracle: TestOutcome[] = failing;
  if (toRerun.length > 0) {
    const rerun = await runTests(options.command, { ...base, only: toRerun });
    if (rerun.kind === "completed") {
      const failedAgain = new Set(rerun.tests.filter((t) => t.status === "failed").map((t) => t.name));
      const namesEveryTest = rerun.counts.total <= rerun.tests.length;
      const reported = new Set(rerun.tests.map((t) => t.name));
      oracle = failing.filter(
        (t) => hanging.includes(t.name) || failedAgain.has(t.name) || (!reported.has(t.name) && namesEveryTest),
      );
    }
  }
  const flaky = failing.filter((t) => !oracle.includes(t)).map((t) => t.name);
  if (flaky.length > 0)
    moduleLogger(options.logger, "repair").info(`flaky tests (not used as the oracle): ${flaky.join(", ")}`);
  const oracleNames = new Set(oracle.map((t) => t.name));

  let coverage: readonly SpectrumEntity[] | undefined;
  try {
    coverage = await hook?.collect(context, { run, oracle, oracleNames, flaky });
  } catch (error) {
    moduleLogger(options.logger, "repair").debug(`coverage unavailable: ${errorMessage(error)}`);
  }
  return {
    run,
    oracle,
    flaky,
    ...common,
    ...(coverage && coverage.length > 0 ? { coverage } : {}),
  };
}
