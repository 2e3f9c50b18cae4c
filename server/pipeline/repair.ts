/**
 * A repair task, read as the pipeline: prepare and run the baseline, group the failing tests, then for each group
 * localise, search and confirm; validate the groups' patches together; report. Each step is a function of
 * `task/` over the typed task state (task/task-state.ts); every sentence the task says is in task/messages.ts.
 */
import type { Config } from "../core/config-schema.js";
import { errorMessage } from "../core/error-message.js";
import { moduleLogger, type Hunk } from "../core/types.js";
import type { RepairReport } from "./report.js";
import type { ValidationRecord } from "./validate/validator.js";
import { detectTestCommand as detect } from "./runners/detect.js";
import type { TestCommand } from "./runners/test-command.js";
import { baselineStep, prepareStep } from "./task/baseline-step.js";
import { confirmStep, jointStep } from "./task/confirm-step.js";
import { groupStep } from "./task/group-step.js";
import { localiseStep } from "./task/localise-step.js";
import {
  BUDGET_SPENT_NOTE,
  CANCELLED,
  coldOverruledNote,
  failedTask,
  GROUPS_FELL_BACK_NOTE,
  NOTHING_SUSPICIOUS,
  progressTitles,
  type Stop,
} from "./task/messages.js";
import { finalReport, stoppedReport } from "./task/report-step.js";
import { prestartWarmServers, searchStep, type SearchShare } from "./task/search-step.js";
import {
  newTask,
  type Baselined,
  type GroupResult,
  type GroupTask,
  type RepairEnvironment,
  type TaskState,
  validationsOf,
  type Workspace,
} from "./task/task-state.js";

export type { RepairReport } from "./report.js";
export type { TestCommand } from "./runners/test-command.js";
export type { RepairEnvironment } from "./task/task-state.js";

/**
 * Time kept for validating several groups' patches together: the failing tests and the whole suite, cold, at most
 * this share of what remains.
 */
const JOINT_CONFIRM_RUNS = 2;
const JOINT_CONFIRM_BUDGET_SHARE = 0.2;
/** Where the bar stands while the first (or only) group localises. */
const LOCALISE_PROGRESS = 10;
/** The progress percentages the groups' searches move between. */
const SEARCH_PROGRESS: readonly [number, number] = [15, 95];
/** Share of the budget several groups' searches may spend together; the rest is kept for the fallback. */
const GROUPS_BUDGET_SHARE = 0.5;

/** Detects how the workspace runs its tests (the `test.command` setting wins); undefined when nothing is found. */
export function detectTestCommand(root: string, config: Config): Promise<TestCommand | undefined> {
  return detect(root, config);
}

/**
 * Runs the tests, localises the failures and repairs every failing test. Never rejects. Tests run only in scratch
 * copies; `test.allowRun` "never" refuses, while "ask" is the caller's to settle before calling (the engine runs).
 */
export function fixAllFailing(env: RepairEnvironment): Promise<RepairReport> {
  return runTask(env, undefined);
}

/** Repairs within the given hunks (an editor selection or a diagnostic's range). Never rejects. */
export function repairHunks(env: RepairEnvironment, hunks: readonly Hunk[]): Promise<RepairReport> {
  return runTask(env, hunks);
}

async function runTask(callerEnv: RepairEnvironment, given: readonly Hunk[] | undefined): Promise<RepairReport> {
  // Every step logs as "repair"; the modules a step calls name themselves (moduleLogger renames, never nests).
  const env: RepairEnvironment = { ...callerEnv, logger: moduleLogger(callerEnv.logger, "repair") };
  const task = newTask(env, given);
  try {
    const workspace = await prepareStep(task);
    if (isStop(workspace)) return stoppedReport(task, workspace);
    const baselined = await baselineStep(task, workspace);
    if (isStop(baselined)) return stoppedReport(task, baselined);
    void prestartWarmServers(task, workspace);
    const grouped = await groupStep(task, workspace, baselined);
    if (isStop(grouped)) return stoppedReport(task, grouped);
    const { groups } = grouped;
    const results = await repairGroups(
      task,
      workspace,
      grouped.baselined,
      groups,
      budgetFor(task, grouped.baselined, groups),
    );
    if (isStop(results)) return stoppedReport(task, results);
    let records: ValidationRecord[] = results[0]?.judged.slice() ?? [];
    if (results.length > 1) {
      records = await jointStep(task, workspace, grouped.baselined, results);
      if (!records.some(isRepair) && tiedTogether(results, records) && !env.signal.aborted) {
        records.push(...(await repairAsOne(task, workspace, grouped.baselined)));
      }
    }
    noteHowValidationWent(task);
    env.progress.report(progressTitles.done, 100);
    return finalReport(task, workspace, grouped.baselined, records, results.length > 1 ? results : undefined);
  } catch (error) {
    if (env.signal.aborted) return stoppedReport(task, CANCELLED);
    const reason = errorMessage(error);
    env.logger.error(reason);
    return stoppedReport(task, failedTask(reason));
  } finally {
    await task.warm?.close();
    await task.pool?.close();
  }
}

/** What the groups' searches may spend together: all of the budget for one group, a share of it for several. */
function budgetFor(task: TaskState, baselined: Baselined, groups: readonly GroupTask[]): GroupsBudget {
  const max = task.env.config["repair.maxValidations"];
  if (groups.length < 2) return { until: task.deadline, validations: max };
  // Independent groups need little (each stops at its first repair); what they leave is kept for the joint
  // validation and, when the groups' patches together are no repair, for repairing all the tests as one task.
  const searchEnd = task.deadline - jointReserve(task, baselined);
  return {
    until: Date.now() + GROUPS_BUDGET_SHARE * (searchEnd - Date.now()),
    validations: Math.max(groups.length, Math.floor(GROUPS_BUDGET_SHARE * max)),
  };
}

/**
 * The fallback when the groups' patches together are no repair and the groups look tied together (a passing test
 * that each group's fix alone breaks): every failing test the task repairs, as one task, with what remains.
 */
async function repairAsOne(task: TaskState, workspace: Workspace, baselined: Baselined): Promise<ValidationRecord[]> {
  task.notes.push(GROUPS_FELL_BACK_NOTE);
  const spent = validationsOf(task);
  const budget = { until: task.deadline, validations: task.env.config["repair.maxValidations"] - spent };
  if (budget.validations <= 0 || Date.now() >= task.deadline) return [];
  const whole = await repairGroups(
    task,
    workspace,
    baselined,
    [{ group: undefined, oracle: baselined.oracle }],
    budget,
  );
  return isStop(whole) ? [] : (whole[0]?.judged.slice() ?? []);
}

/** What a sequence of group searches may spend: until a time, and a number of validations. */
interface GroupsBudget {
  readonly until: number;
  readonly validations: number;
}

/**
 * Localises, searches and confirms each group in turn, each within its share of what remains of the budget (what
 * one group leaves unspent goes to the next). Stops when no group has any suspicious code.
 */
async function repairGroups(
  task: TaskState,
  workspace: Workspace,
  baselined: Baselined,
  groups: readonly GroupTask[],
  budget: GroupsBudget,
): Promise<GroupResult[] | Stop> {
  const { signal, progress } = task.env;
  const results: GroupResult[] = [];
  let spent = 0;
  for (const [i, group] of groups.entries()) {
    if (signal.aborted) break;
    if (groups.length > 1) progress.report(progressTitles.group(i + 1, groups.length, group.oracle.length), undefined);
    const [from, to] = SEARCH_PROGRESS;
    // A later group localises where the bar already is: progress never moves back.
    const groupStart = from + ((to - from) * i) / groups.length;
    const localised = await localiseStep(task, workspace, baselined, group, i === 0 ? LOCALISE_PROGRESS : groupStart);
    if (localised.hunks.length === 0) {
      results.push({ task: group, validator: undefined, judged: [] });
      continue;
    }
    const left = groups.length - i;
    const share: SearchShare = {
      until: Date.now() + (budget.until - Date.now()) / left,
      maxValidations: Math.max(1, Math.floor((budget.validations - spent) / left)),
      progress: [groupStart, from + ((to - from) * (i + 1)) / groups.length],
    };
    const validator = await searchStep(task, workspace, baselined, group, localised, share);
    spent += validator.validations;
    results.push({ task: group, validator, judged: await confirmStep(task, validator) });
  }
  if (!signal.aborted && results.every((r) => r.validator === undefined)) return NOTHING_SUSPICIOUS;
  return results;
}

/** Time kept at the end for the joint validation of several groups' patches. */
function jointReserve(task: TaskState, baselined: Baselined): number {
  const runMs = JOINT_CONFIRM_RUNS * 1000 * (baselined.baseline.run.seconds + 1);
  return Math.min(JOINT_CONFIRM_BUDGET_SHARE * (task.deadline - Date.now()), runMs);
}

/**
 * Whether the groups look tied together, so that repairing their tests as one task may succeed where the groups
 * failed: the joint patch broke a test, or a group without a repair had a candidate that broke another test (the
 * validator counts regressions only once the failing tests pass: each fix alone may break a test that only both
 * together keep passing). A group that simply found no fix for
 * its own tests gains nothing from a joint search, which would try the same candidates again.
 */
function tiedTogether(results: readonly GroupResult[], joint: readonly ValidationRecord[]): boolean {
  const breaksAnother = (r: ValidationRecord): boolean =>
    r.outcome.kind === "failing-tests" && r.outcome.regressions > 0;
  if (joint.some(breaksAnother)) return true;
  return results.some((g) => !g.judged.some(isRepair) && g.judged.some(breaksAnother));
}

function isRepair(record: ValidationRecord): boolean {
  return record.full !== undefined && record.verdict === "repair";
}

/** Notes on the validation as a whole: cold runs that overruled warm ones, and a budget that ran out. */
function noteHowValidationWent(task: TaskState): void {
  // The joint validator's budget is one run by design: only the searches' budgets say whether time ran out.
  const searches = task.validators.filter((v) => v !== task.jointValidator);
  const overruled = searches.reduce((sum, v) => sum + v.warmColdDisagreements, 0);
  if (overruled > 0) task.notes.push(coldOverruledNote(overruled));
  if (searches.some((v) => v.budgetSpent())) task.notes.push(BUDGET_SPENT_NOTE);
}

function isStop<T extends object>(value: T | Stop): value is Stop {
  return "status" in value && "message" in value;
}
