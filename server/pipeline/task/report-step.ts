/**
 * The report step: the RepairReport of a task, whether it ended early (a Stop) or after the search. Patches are
 * reported by the one definition (verdict.ts, through build-report.ts); a task of several groups reports the
 * groups' joint patch, and each group's own outcome beside it.
 */
import { buildPatches, describePatch, outcomeRecords } from "../build-report.js";
import { bestOf } from "./confirm-step.js";
import type { GroupOutcome, RepairReport, RepairStatus } from "../report.js";
import type { ValidationRecord } from "../validate/validator.js";
import { summary, type Stop } from "./messages.js";
import {
  secondsSince,
  validationsOf,
  type Baselined,
  type GroupResult,
  type TaskState,
  type Workspace,
} from "./task-state.js";

/** The report of a task that ended before (or without) a search. */
export function stoppedReport(task: TaskState, stop: Stop): RepairReport {
  return {
    status: stop.status,
    message: stop.message,
    ...(task.command ? { testCommand: task.command } : {}),
    failingBefore: task.baseline?.oracle.map((t) => t.name) ?? [],
    flaky: task.baseline?.flaky ?? [],
    testsAtBaseline: task.baseline?.run.counts.total ?? 0,
    patches: [],
    partials: [],
    unfixed: task.owned ?? task.baseline?.oracle.map((t) => t.name) ?? [],
    testFiles: task.testFiles,
    notes: [...new Set(task.notes)],
    failureSites: task.failureSites,
    outcomes: [],
    validations: validationsOf(task),
    seconds: secondsSince(task.started),
    localisation: [...new Set(task.localisation)],
    ...(task.shard ? { shard: task.shard } : {}),
  };
}

/**
 * The report after the search: the patches among `records` (one group's, or the groups' joint patch and the
 * fallback's, all judged against every failing test the task repairs), every validation's outcome, and, for a
 * task of several groups, what each group found.
 */
export function finalReport(
  task: TaskState,
  workspace: Workspace,
  baselined: Baselined,
  records: readonly ValidationRecord[],
  groups: readonly GroupResult[] | undefined,
): RepairReport {
  const { signal } = task.env;
  const oracle = baselined.oracle.map((t) => t.name);
  const { repairs, partials } = buildPatches({ records, oracle, bases: workspace.bases, files: workspace.files });
  const status: RepairStatus = signal.aborted
    ? "cancelled"
    : repairs.length > 0
      ? "fixed"
      : partials.length > 0
        ? "partial"
        : "unfixed";
  const validations = validationsOf(task);
  const seconds = secondsSince(task.started);
  const fixed = new Set(repairs[0]?.fixedTests ?? []);
  return {
    ...stoppedReport(task, {
      status,
      message: summary(status, { repairs, partials }, oracle.length, validations, seconds),
    }),
    testCommand: workspace.command,
    patches: repairs,
    partials,
    unfixed: oracle.filter((t) => !fixed.has(t)),
    // Every validator numbers its own records: each one's outcomes keep their order, one validator after another.
    outcomes: task.validators.flatMap((v) => outcomeRecords(v.completed, workspace.files)),
    ...(task.firstPlausible !== undefined ? { secondsToFirstPlausible: task.firstPlausible } : {}),
    ...(groups ? { groups: groups.map(groupOutcome) } : {}),
  };
}

/** What one group's own task found, by its best judged record. */
function groupOutcome(result: GroupResult): GroupOutcome {
  const best = bestOf(result.judged);
  return {
    id: result.task.group?.id ?? "",
    tests: result.task.oracle.map((t) => t.name),
    status: best?.verdict === "repair" ? "fixed" : best ? "partial" : "unfixed",
    ...(best ? { best: describePatch(best.patch) } : {}),
    validations: result.validator?.validations ?? 0,
  };
}
