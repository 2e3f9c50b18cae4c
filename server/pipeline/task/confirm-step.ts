/**
 * The confirm steps. Within a group: partial patches get a full-suite run for their verdict, and verdicts that warm
 * runs or ordered selections reached are judged again by a cold run, so that nothing warm is ever reported. Across
 * groups: the best patch of each group, joined, is validated cold as one patch against every failing test the task
 * repairs, so that the report's repair is a repair by the one definition (verdict.ts), never a sum of hopes.
 */
import { overlaps, type Patch } from "../combine/patch.js";
import { rankPatches } from "../rank.js";
import { PatchValidator, type ValidationRecord } from "../validate/validator.js";
import { progressTitles } from "./messages.js";
import type { Baselined, GroupResult, TaskState, Workspace } from "./task-state.js";

/** How many partial patches get a full-suite run to learn their verdict. */
const PARTIALS_CHECKED = 3;

/** A group's validated records as reports may use them: partial patches checked, warm verdicts confirmed cold. */
export async function confirmStep(task: TaskState, validator: PatchValidator): Promise<ValidationRecord[]> {
  const checked = validator.plausibleCount === 0 && !task.env.signal.aborted ? await checkPartials(validator) : [];
  return confirmedCold(validator, [...validator.completed, ...checked]);
}

/**
 * Records as reports may use them: with warm runs, every record that has a verdict is judged again by a cold run
 * (the cold verdict wins; one the cold run could not judge is dropped); without, the records as they are.
 */
async function confirmedCold(
  validator: PatchValidator,
  records: readonly ValidationRecord[],
): Promise<ValidationRecord[]> {
  const out: ValidationRecord[] = [];
  for (const record of records) {
    if (record.verdict === undefined) {
      out.push(record);
      continue;
    }
    const confirmed = await validator.confirmCold(record);
    out.push(confirmed ?? { ...record, verdict: undefined });
  }
  return out;
}

/**
 * Full-suite runs for the validated patches that fix the most failing tests without fixing all, so that partial
 * patches are reported only with a verdict (verdict.ts). Records with a regression come back without one.
 */
async function checkPartials(validator: PatchValidator): Promise<ValidationRecord[]> {
  const oracleSize = validator.baselineFailing;
  const improving = validator.completed
    .filter(
      (r) => r.outcome.kind === "failing-tests" && r.stillFailing.length > 0 && r.stillFailing.length < oracleSize,
    )
    .sort(
      (a, b) => a.stillFailing.length - b.stillFailing.length || a.patch.length - b.patch.length || a.order - b.order,
    );
  const checked: ValidationRecord[] = [];
  for (const record of improving.slice(0, PARTIALS_CHECKED)) {
    const result = await validator.checkPartial(record);
    if (result) checked.push(result);
  }
  return checked;
}

/** A group's best reportable patch: its best-ranked repair, else its partial patch fixing the most tests. */
export function bestOf(judged: readonly ValidationRecord[]): ValidationRecord | undefined {
  const repairs = judged.filter((r) => r.full !== undefined && r.verdict === "repair");
  const ranked = rankPatches(repairs.map((r) => ({ ...r, regressions: 0, record: r })));
  if (ranked[0]) return ranked[0].item.record;
  return judged
    .filter((r) => r.full !== undefined && r.verdict === "partial")
    .sort((a, b) => a.stillFailing.length - b.stillFailing.length || a.patch.length - b.patch.length)[0];
}

/**
 * One patch of the groups' parts: a part two groups both chose counts once; undefined when nothing is left, or when
 * two parts edit overlapping lines differently (they cannot both apply).
 */
function joinPatches(parts: Patch): Patch | undefined {
  const joint: Patch[number][] = [];
  for (const part of parts) {
    const clash = joint.find((p) => overlaps(p.hunk, part.hunk));
    if (!clash) joint.push(part);
    else if (clash.hunk.startLine !== part.hunk.startLine || clash.hunk.endLine !== part.hunk.endLine) return undefined;
    else if (clash.candidate.text !== part.candidate.text) return undefined;
  }
  return joint.length > 0 ? joint : undefined;
}

/**
 * Joins the best patch of every group into one patch and validates it in a fresh scratch copy, cold, against all
 * the failing tests the task repairs (the other groups' failures are not regressions of one group's patch, but a
 * joint patch must answer for all of them). Returns the joint record judged by a full-suite run, or none when no
 * group found anything, the groups' patches cannot be joined, or the budget is gone.
 */
export async function jointStep(
  task: TaskState,
  workspace: Workspace,
  baselined: Baselined,
  results: readonly GroupResult[],
): Promise<ValidationRecord[]> {
  const { env } = task;
  const joint = joinPatches(results.flatMap((r) => bestOf(r.judged)?.patch ?? []));
  if (!joint || env.signal.aborted) return [];
  const { baseline, fullTimeoutMs } = baselined;
  env.progress.report(progressTitles.joint, 96);
  // No warm servers and no ordered selection: the joint verdict comes from cold runs of the whole command.
  const validator = new PatchValidator({
    command: workspace.command,
    pool: workspace.pool,
    root: env.root,
    baseText: workspace.baseText,
    baseline: {
      oracle: baselined.oracle,
      failingAtBaseline: baseline.failingAtBaseline,
      passingAtBaseline: baseline.passing.map((t) => t.name),
      totalAtBaseline: baseline.run.counts.total,
    },
    isTestFile: (file) => workspace.sources.isTest(file),
    firstRunTimeoutMs: fullTimeoutMs,
    candidateTimeoutMs: fullTimeoutMs,
    maxValidations: 1,
    deadline: task.deadline,
    hardDeadline: task.deadline,
    runSettings: baseline.candidateRuns,
    stopAfterPlausible: 1,
    signal: env.signal,
    logger: env.logger,
  });
  // Joining each group's best patch is a greedy combination, one group at a time.
  validator.startPhase("greedy", 1);
  task.validators.push(validator);
  task.jointValidator = validator;
  const record = await validator.validate(joint);
  if (!record) return [];
  if (record.verdict !== undefined || record.outcome.kind !== "failing-tests" || record.stillFailing.length === 0) {
    return [record];
  }
  // Some group found no repair: the joint patch is a partial patch if the whole suite says so.
  const judged =
    record.stillFailing.length < baselined.oracle.length ? await validator.checkPartial(record) : undefined;
  return judged ? [judged] : [record];
}
