/**
 * The search step: one group's candidates generated, combined and validated (search.ts drives the phases) within
 * the group's share of the task's budget, by a validator whose oracle is the group's failing tests.
 */
import { errorMessage } from "../../core/error-message.js";
import { defaultCandidateSource } from "../candidates.js";
import { runnerFor } from "../runners/plugins/table.js";
import { WarmPool } from "../runners/warm/warm-pool.js";
import { searchPatches } from "../search.js";
import { PatchValidator } from "../validate/validator.js";
import { namesEveryTest } from "../verdict.js";
import { MIN_RUN_TIMEOUT_MS } from "./baseline-step.js";
import type { Localised } from "./localise-step.js";
import { progressTitles } from "./messages.js";
import { secondsSince, type Baselined, type GroupTask, type TaskState, type Workspace } from "./task-state.js";

/** Per-candidate timeout as a multiple of the baseline run's duration. */
const CANDIDATE_TIMEOUT_FACTOR = 3;
/** Share of the remaining budget kept for confirming warm verdicts cold, at most. */
const COLD_CONFIRM_BUDGET_SHARE = 0.25;
/** Cold full-suite runs the kept time should allow for. */
const COLD_CONFIRM_RUNS = 3;

/** A group's part of the task's budget, and of the progress bar. */
export interface SearchShare {
  /** Date.now() by which the group's search and its confirmations should end. */
  readonly until: number;
  readonly maxValidations: number;
  /** The progress percentages the group's validations move between. */
  readonly progress: readonly [number, number];
}

/** The task's warm pool, made on first use; it outlives a group, since every group runs the same command. */
export function warmPoolOf(task: TaskState, workspace: Workspace): WarmPool | undefined {
  const { env } = task;
  task.warm ??= (env.warm ?? WarmPool.for)(workspace.command, env.root, env.logger, env.signal);
  return task.warm;
}

/**
 * Makes every validation worker and starts its warm server in the background, right after the baseline, so that
 * the start-up overlaps grouping and localisation rather than delaying the first candidate. Never rejects: a pool
 * that cannot fill now fills on demand, as before.
 */
export async function prestartWarmServers(task: TaskState, workspace: Workspace): Promise<void> {
  const warm = warmPoolOf(task, workspace);
  if (!warm) return;
  try {
    warm.prestart(await workspace.pool.fill(), workspace.command);
  } catch (error) {
    task.env.logger.debug(`warm servers not started ahead: ${errorMessage(error)}`);
  }
}

export async function searchStep(
  task: TaskState,
  workspace: Workspace,
  baselined: Baselined,
  group: GroupTask,
  localised: Localised,
  share: SearchShare,
): Promise<PatchValidator> {
  const { env } = task;
  const { config, logger, progress, signal } = env;
  const { command, sources } = workspace;
  const { baseline, fullTimeoutMs } = baselined;
  const run = baseline.run;
  const warm = warmPoolOf(task, workspace);
  // Runners that stop at the first failure run a candidate's suite covering tests first (runners/selection.ts).
  // The order names tests, so the baseline must have named every test it ran (JUnitCore names failures only).
  const ordering =
    runnerFor(command.kind).stopsAtFirstFailure && namesEveryTest(run)
      ? { tests: run.tests, ...(baseline.coverage ? { coverage: baseline.coverage } : {}) }
      : undefined;
  // Verdicts of warm runs and of ordered selections are confirmed cold before they are reported: the search
  // leaves time for that within the group's share.
  const searchDeadline =
    warm || ordering
      ? share.until -
        Math.min(COLD_CONFIRM_BUDGET_SHARE * (share.until - Date.now()), COLD_CONFIRM_RUNS * 1000 * (run.seconds + 1))
      : share.until;
  const candidateTimeoutMs = Math.min(
    fullTimeoutMs,
    Math.max(MIN_RUN_TIMEOUT_MS, Math.ceil(CANDIDATE_TIMEOUT_FACTOR * run.seconds * 1000)),
  );
  const [from, to] = share.progress;
  const validator: PatchValidator = new PatchValidator({
    command,
    pool: workspace.pool,
    root: env.root,
    baseText: workspace.baseText,
    baseline: {
      oracle: group.oracle,
      // Every test that failed at baseline, the other groups' included: their failures are not regressions.
      failingAtBaseline: baseline.failingAtBaseline,
      passingAtBaseline: baseline.passing.map((t) => t.name),
      totalAtBaseline: run.counts.total,
    },
    isTestFile: (file) => sources.isTest(file),
    firstRunTimeoutMs: fullTimeoutMs,
    candidateTimeoutMs,
    maxValidations: share.maxValidations,
    deadline: searchDeadline,
    hardDeadline: task.deadline,
    runSettings: baseline.candidateRuns,
    ...(warm ? { warm } : {}),
    ...(ordering ? { ordering } : {}),
    stopAfterPlausible: config["repair.stopAfterPlausible"],
    signal,
    logger,
    onPlausible: (record) => {
      task.firstPlausible ??= secondsSince(task.started);
      logger.info(
        `plausible patch after ${record.order + 1} candidates: ${record.patch.map((p) => p.candidate.description).join("; ")}`,
      );
    },
    onValidated: () => {
      const done = validator.validations;
      progress.report(
        progressTitles.validated(done, validator.plausibleCount),
        Math.min(to, from + Math.round(((to - from) * done) / share.maxValidations)),
      );
    },
  });
  task.validators.push(validator);
  const generate = env.generate ?? (await defaultCandidateSource());
  progress.report(progressTitles.searching, from);
  await searchPatches({
    hunks: localised.hunks,
    evidence: localised.evidence,
    validator,
    generate,
    readText: workspace.baseText,
    config,
    logger,
    progress,
    signal,
    ...(env.retriever ? { retriever: env.retriever } : {}),
    maxValidations: share.maxValidations,
  });
  return validator;
}
