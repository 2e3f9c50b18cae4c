/**
 * The typed state a repair task carries from step to step (repair.ts runs the steps): what the caller gave, what
 * each step established, and what the report will say. A step takes the facts earlier steps established as
 * arguments and returns its own, so the order of the pipeline is visible in its types.
 */
import type { Config } from "../../core/config-schema.js";
import type { Hunk, Logger, ProgressSink, Retriever } from "../../core/types.js";
import type { Baseline } from "../baseline.js";
import type { CandidateSource } from "../candidates.js";
import type { SourceFiles } from "../localise/source-files.js";
import type { RepairReport } from "../report.js";
import type { TestOutcome } from "../runners/outcomes.js";
import type { TestCommand } from "../runners/test-command.js";
import type { WarmPool } from "../runners/warm/warm-pool.js";
import type { RepairGroup, ShardPlan, ShardSpec } from "../shard.js";
import type { WorkerPool } from "../validate/pool.js";
import type { PatchValidator, ValidationRecord } from "../validate/validator.js";
import type { WorkspaceFiles } from "../workspace-files.js";

export interface RepairEnvironment {
  /** Absolute workspace folder. */
  readonly root: string;
  readonly config: Config;
  readonly logger: Logger;
  /** report(message, percentage) for $/progress. */
  readonly progress: ProgressSink;
  /** Cancellation: stops runs (killing their process groups), removes scratch copies, resolves "cancelled". */
  readonly signal: AbortSignal;
  /** Context retrieval (may be absent). */
  readonly retriever?: Retriever;
  /** Unsaved editor buffers (absolute path -> text); they override the disk everywhere. */
  readonly overlays?: ReadonlyMap<string, string>;
  /** Candidate generation; defaults to server/pipeline/generate (tests inject scripted candidates). */
  readonly generate?: CandidateSource;
  /**
   * Warm test servers for the job; defaults to WarmPool.for (runners/warm/). Tests inject one whose verdicts lie,
   * to show that the cold confirmation overrules them.
   */
  readonly warm?: (command: TestCommand, root: string, logger: Logger, signal: AbortSignal) => WarmPool | undefined;
  /** `fix-all --shard`: repair only the failing tests of this shard's groups (shard.ts). */
  readonly shard?: ShardSpec;
}

/** What the task knows so far; the report is built from it whichever step the task ends at. */
export interface TaskState {
  readonly env: RepairEnvironment;
  /** Hunks the caller gave (an editor selection), when the task repairs within them. */
  readonly given: readonly Hunk[] | undefined;
  /** performance.now() and Date.now() at the start: the budget counts from here. */
  readonly started: number;
  readonly startedAt: number;
  /** Date.now() by which the task ends, confirmations included. */
  readonly deadline: number;
  command?: TestCommand;
  baseline?: Baseline;
  /** Worker and warm pools, closed when the task ends whatever happened. */
  pool?: WorkerPool;
  warm?: WarmPool;
  /** Every validator the task used (one per repair group, and the joint one), for the validation count. */
  readonly validators: PatchValidator[];
  /** The validator of the groups' joint patch, whose budget is a single run by design. */
  jointValidator?: PatchValidator;
  firstPlausible?: number;
  localisation: string[];
  /** Workspace-relative test files (never edited). */
  testFiles: string[];
  /** What was cut short or worked around, for the report. */
  readonly notes: string[];
  readonly failureSites: RepairReport["failureSites"][number][];
  /** A sharded run's plan, and the failing tests it repairs (all of the oracle otherwise). */
  shard?: ShardPlan;
  owned?: string[];
}

/** What the first step establishes: how the tests run, and the workspace as the steps read it. */
export interface Workspace {
  readonly command: TestCommand;
  readonly files: WorkspaceFiles;
  readonly sources: SourceFiles;
  readonly pool: WorkerPool;
  /** Unmodified texts of the files candidates edit, read once and shared by every group. */
  readonly bases: Map<string, string>;
  readonly baseText: (file: string) => Promise<string | undefined>;
}

/** What the baseline step establishes. */
export interface Baselined {
  readonly baseline: Baseline;
  /** Timeout of a full-suite run. */
  readonly fullTimeoutMs: number;
  /** The failing tests this task repairs: the whole oracle, or a shard's own. */
  readonly oracle: readonly TestOutcome[];
}

/** One repair group as its own task: its failing tests are its oracle. */
export interface GroupTask {
  /** The group as shard.ts planned it; undefined when the task repairs all of its failing tests as one. */
  readonly group: RepairGroup | undefined;
  readonly oracle: readonly TestOutcome[];
}

/** What one group's task found: its validator's records, judged for reports (confirmed cold where needed). */
export interface GroupResult {
  readonly task: GroupTask;
  readonly validator: PatchValidator | undefined;
  readonly judged: readonly ValidationRecord[];
}

export function newTask(env: RepairEnvironment, given: readonly Hunk[] | undefined): TaskState {
  const startedAt = Date.now();
  return {
    env,
    given,
    started: performance.now(),
    startedAt,
    deadline: startedAt + env.config["repair.budgetSeconds"] * 1000,
    validators: [],
    localisation: [],
    testFiles: [],
    notes: [],
    failureSites: [],
  };
}

/** Seconds since a performance.now() reading, to two decimals. */
export function secondsSince(since: number): number {
  return Math.round((performance.now() - since) / 10) / 100;
}

/** Test runs the task spent on candidates, over every validator it used. */
export function validationsOf(task: TaskState): number {
  return task.validators.reduce((sum, v) => sum + v.validations, 0);
}
