/**
 * The first steps of a repair task: find how the tests run and open the workspace (prepare), then run the tests on
 * the unmodified code (baseline). Either may end the task: nothing may run, nothing runs, or nothing fails.
 */
import { availableParallelism } from "node:os";
import { runBaseline, type Baseline } from "../baseline.js";
import { SourceFiles } from "../localise/source-files.js";
import { detectTestCommand } from "../runners/detect.js";
import type { TestCommand } from "../runners/test-command.js";
import { testFilesFromRun } from "../test-files.js";
import { WorkerPool } from "../validate/pool.js";
import { removeStaleScratch } from "../validate/scratch.js";
import { listWorkspaceFiles, WorkspaceFiles } from "../workspace-files.js";
import {
  buildFailed,
  CANCELLED,
  commandNotRunnable,
  leftoversNote,
  NO_TEST_COMMAND,
  noTestsRan,
  nothingFailing,
  progressTitles,
  RUNS_REFUSED,
  suiteTimedOut,
  type Stop,
} from "./messages.js";
import type { Baselined, TaskState, Workspace } from "./task-state.js";

/** Floor of every test run's timeout, whatever the budget or the baseline's duration. */
export const MIN_RUN_TIMEOUT_MS = 5_000;
/**
 * Share of the job's budget the first baseline run may take. A suite that hangs must leave time for finding the
 * hanging tests (a second run with per-test deadlines) and for the search itself.
 */
const BASELINE_BUDGET_SHARE = 0.3;

/** Finds the test command and opens the workspace: files, sources and the pool of scratch copies. */
export async function prepareStep(task: TaskState): Promise<Workspace | Stop> {
  const { env } = task;
  if (env.config["test.allowRun"] === "never") return RUNS_REFUSED;
  removeStaleScratch();
  task.command = await detectTestCommand(env.root, env.config);
  if (!task.command) return NO_TEST_COMMAND;
  if (env.signal.aborted) return CANCELLED;
  const files = new WorkspaceFiles(env.root, env.overlays ?? new Map());
  const sources = new SourceFiles(env.root, await listWorkspaceFiles(env.root));
  const workers = env.config["repair.workers"] > 0 ? env.config["repair.workers"] : availableParallelism();
  task.pool = new WorkerPool({
    root: env.root,
    size: Math.max(1, workers),
    ...(env.overlays ? { overlays: env.overlays } : {}),
    signal: env.signal,
    logger: env.logger,
  });
  const bases = new Map<string, string>();
  const baseText = async (file: string): Promise<string | undefined> => {
    if (!bases.has(file)) {
      const text = await files.read(file);
      if (text === undefined) return undefined;
      bases.set(file, text);
    }
    return bases.get(file);
  };
  return { command: task.command, files, sources, pool: task.pool, bases, baseText };
}

/** Runs the tests on the unmodified code in a scratch copy, and learns which files are tests from the run. */
export async function baselineStep(task: TaskState, workspace: Workspace): Promise<Baselined | Stop> {
  const { env } = task;
  const { command, pool, sources, files } = workspace;
  env.progress.report(progressTitles.baseline(command.command), 0);
  const fullTimeoutMs = Math.min(
    env.config["test.timeoutSeconds"] * 1000,
    Math.max(MIN_RUN_TIMEOUT_MS, BASELINE_BUDGET_SHARE * (task.deadline - Date.now())),
  );
  const worker = await pool.acquire();
  let baseline: Baseline;
  try {
    baseline = await runBaseline({
      command,
      worker,
      root: env.root,
      sources,
      timeoutMs: fullTimeoutMs,
      signal: env.signal,
      logger: env.logger,
    });
  } finally {
    pool.release(worker);
  }
  task.baseline = baseline;
  if (env.signal.aborted) return CANCELLED;
  if (baseline.run.leftovers) {
    const note = leftoversNote(baseline.run.leftovers);
    env.logger.warn(note);
    task.notes.push(`tests: ${note}`);
  }
  const stop = baselineVerdict(baseline, command, fullTimeoutMs);
  if (stop) return stop;
  sources.markTests(testFilesFromRun(baseline.run, command, sources));
  task.testFiles = sources.files.filter((f) => sources.isTest(f)).map((f) => files.relative(f));
  return { baseline, fullTimeoutMs, oracle: baseline.oracle };
}

/** Why the task ends after the baseline run (tests could not run, or nothing fails), if it does. */
function baselineVerdict(baseline: Baseline, command: TestCommand, timeoutMs: number): Stop | undefined {
  const run = baseline.run;
  switch (run.kind) {
    case "not-found":
      return commandNotRunnable(command.command, run.problem);
    case "timeout":
      // The hanging tests could not be singled out: the suite fails, and no test can judge a patch in time.
      return suiteTimedOut(command.command, timeoutMs);
    case "build-error":
      return buildFailed(run.problem);
    case "cancelled":
      return CANCELLED;
    case "completed":
      break;
  }
  if (run.counts.total === 0) return noTestsRan(command.command);
  if (baseline.oracle.length > 0) return undefined;
  return nothingFailing(run.counts.total, baseline.flaky.length);
}
