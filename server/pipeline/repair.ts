import { availableParallelism } from "node:os";
import type { Config } from "../core/config-schema.js";
import { runBaseline, type Baseline } from "./baseline.js";
import { buildPatches, location, outcomeRecords } from "./build-report.js";
import { defaultCandidateSource, type CandidateSource } from "./candidates.js";
import { factsFor, hunksFromLines, localise, type RankedHunk, type SuspiciousLine } from "./localise/localise.js";
import { SourceFiles } from "./localise/source-files.js";
import type { RepairPatch, RepairReport, RepairStatus } from "./report.js";
import { detectTestCommand as detect } from "./runners/detect.js";
import { runnerFor } from "./runners/plugins/table.js";
import type { TestCommand } from "./runners/test-command.js";
import { searchPatches } from "./search.js";
import { namesEveryTest } from "./verdict.js";
import { ownedTests, planShards, type ShardPlan, type ShardSpec } from "./shard.js";
import { testFilesFromRun } from "./test-files.js";
import {
  type FailureEvidence,
  type Hunk,
  type Logger,
  type ProgressSink,
  type Retriever,
  moduleLogger,
} from "../core/types.js";
import { WarmPool } from "./runners/warm/warm-pool.js";
import { WorkerPool } from "./validate/pool.js";
import { removeStaleScratch } from "./validate/scratch.js";
import { PatchValidator, type ValidationRecord } from "./validate/validator.js";
import { listWorkspaceFiles, WorkspaceFiles } from "./workspace-files.js";
import { errorMessage } from "../core/error-message.js";

export type { RepairReport } from "./report.js";
export type { TestCommand } from "./runners/test-command.js";

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

/** Floor of the per-candidate timeout, whatever the baseline's duration. */
const MIN_CANDIDATE_TIMEOUT_MS = 5_000;
/** Per-candidate timeout as a multiple of the baseline run's duration. */
const CANDIDATE_TIMEOUT_FACTOR = 3;
/**
 * Share of the job's budget the first baseline run may take. A suite that hangs must leave time for finding the
 * hanging tests (a second run with per-test deadlines) and for the search itself.
 */
const BASELINE_BUDGET_SHARE = 0.3;

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

interface TaskState {
  /** performance.now() and Date.now() at the start: the budget counts from here. */
  readonly started: number;
  readonly startedAt: number;
  command?: TestCommand;
  baseline?: Baseline;
  validator?: PatchValidator;
  firstPlausible?: number;
  localisation: string[];
  /** Workspace-relative test files (never edited). */
  testFiles: string[];
  /** What was cut short or worked around, for the report. */
  notes: string[];
  failureSites: RepairReport["failureSites"];
  /** A sharded run's plan, and the failing tests it repairs (all of the oracle otherwise). */
  shard?: ShardPlan;
  owned?: string[];
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 10) / 100;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function emptyReport(state: TaskState, status: RepairStatus, message: string): RepairReport {
  return {
    status,
    message,
    ...(state.command ? { testCommand: state.command } : {}),
    failingBefore: state.baseline?.oracle.map((t) => t.name) ?? [],
    flaky: state.baseline?.flaky ?? [],
    testsAtBaseline: state.baseline?.run.counts.total ?? 0,
    patches: [],
    partials: [],
    unfixed: state.owned ?? state.baseline?.oracle.map((t) => t.name) ?? [],
    testFiles: state.testFiles,
    notes: state.notes,
    failureSites: state.failureSites,
    outcomes: [],
    validations: state.validator?.validations ?? 0,
    seconds: seconds(state.started),
    localisation: state.localisation,
    ...(state.shard ? { shard: state.shard } : {}),
  };
}

/** Given hunks first, then the suspicious lines inside them as single-line hunks. */
function hunksWithin(
  given: readonly Hunk[],
  lines: readonly SuspiciousLine[],
  facts: Parameters<typeof hunksFromLines>[1],
): RankedHunk[] {
  const inside = lines.filter((l) =>
    given.some((h) => h.file === l.file && h.startLine <= l.line && l.line < Math.max(h.endLine, h.startLine + 1)),
  );
  const out: RankedHunk[] = given.map((hunk, i) => ({ hunk, score: 1000 - i, origin: "given" as const }));
  for (const ranked of hunksFromLines(inside, facts)) {
    if (ranked.origin === "function") continue;
    const duplicate = out.some(
      (o) =>
        o.hunk.file === ranked.hunk.file &&
        o.hunk.startLine === ranked.hunk.startLine &&
        o.hunk.endLine === ranked.hunk.endLine,
    );
    if (!duplicate) out.push(ranked);
  }
  return out;
}

async function runTask(env: RepairEnvironment, given: readonly Hunk[] | undefined): Promise<RepairReport> {
  const state: TaskState = {
    started: performance.now(),
    startedAt: Date.now(),
    localisation: [],
    testFiles: [],
    notes: [],
    failureSites: [],
  };
  const { config, progress, signal } = env;
  const logger = moduleLogger(env.logger, "repair");
  const cancelled = (): RepairReport => emptyReport(state, "cancelled", "The repair was cancelled.");
  if (config["test.allowRun"] === "never") {
    return emptyReport(
      state,
      "misconfigured",
      'Running tests is disabled (test.allowRun is "never"), so no repair can be validated.',
    );
  }
  let pool: WorkerPool | undefined;
  let warm: WarmPool | undefined;
  try {
    removeStaleScratch();
    state.command = await detectTestCommand(env.root, config);
    if (!state.command) {
      return emptyReport(
        state,
        "no-tests",
        "No test command was found; set test.command to the command that runs the tests.",
      );
    }
    const command = state.command;
    if (signal.aborted) return cancelled();
    const files = new WorkspaceFiles(env.root, env.overlays ?? new Map());
    const sources = new SourceFiles(env.root, await listWorkspaceFiles(env.root));
    const workers = config["repair.workers"] > 0 ? config["repair.workers"] : availableParallelism();
    pool = new WorkerPool({
      root: env.root,
      size: Math.max(1, workers),
      ...(env.overlays ? { overlays: env.overlays } : {}),
      signal,
      logger,
    });

    progress.report(`Running the tests (${command.command})`, 0);
    const deadline = state.startedAt + config["repair.budgetSeconds"] * 1000;
    const fullTimeoutMs = Math.min(
      config["test.timeoutSeconds"] * 1000,
      Math.max(MIN_CANDIDATE_TIMEOUT_MS, BASELINE_BUDGET_SHARE * (deadline - Date.now())),
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
        signal,
        logger,
      });
    } finally {
      pool.release(worker);
    }
    state.baseline = baseline;
    if (signal.aborted) return cancelled();
    if (baseline.run.leftovers) {
      const n = baseline.run.leftovers;
      const left = `the tests left ${n} process${n === 1 ? "" : "es"} running (daemons they started); repair-ls killed ${n === 1 ? "it" : "them"}`;
      logger.warn(`${left}`);
      state.notes.push(`tests: ${left}`);
    }
    const run = baseline.run;
    const stop = baselineVerdict(baseline, command, fullTimeoutMs);
    if (stop) return emptyReport(state, stop.status, stop.message);
    sources.markTests(testFilesFromRun(run, command, sources));
    state.testFiles = sources.files.filter((f) => sources.isTest(f)).map((f) => files.relative(f));

    // A sharded run repairs the failing tests of its own groups only; the others' failures were failures at
    // baseline, so they are never counted as regressions.
    let oracle = baseline.oracle;
    if (env.shard) {
      const shared = { sources, files, failing: baseline.oracle, passing: baseline.passing };
      state.shard = await planShards(
        env.shard,
        baseline.coverage ? { ...shared, coverage: baseline.coverage } : shared,
        (file) => files.relative(file),
      );
      oracle = ownedTests(state.shard, baseline.oracle);
      state.owned = oracle.map((t) => t.name);
      if (oracle.length === 0) {
        const { index, total } = env.shard;
        return emptyReport(
          state,
          "other-shards",
          `Shard ${index}/${total} owns none of the ${plural(state.shard.groups.length, "repair group")} of the ${plural(baseline.oracle.length, "failing test")}: the other shards repair them.`,
        );
      }
    }
    progress.report(`Localising ${plural(oracle.length, "failing test")}`, 10);
    const localisation = await localise({
      sources,
      files,
      failing: oracle,
      passing: baseline.passing,
      ...(baseline.coverage ? { coverage: baseline.coverage } : {}),
      // The whole output names every failing test's frames: a shard repairing some of them must not read it.
      ...(oracle.length === baseline.oracle.length ? { output: run.output } : {}),
    });
    state.failureSites = failureSites(localisation.evidence, oracle, localisation.hunks, sources, files);
    let hunks: readonly RankedHunk[] = localisation.hunks;
    if (given) {
      const facts = await factsFor(
        files,
        new Set([...given.map((h) => h.file), ...localisation.lines.map((l) => l.file)]),
      );
      hunks = hunksWithin(given, localisation.lines, facts);
    }
    const inTests = hunks.filter((h) => sources.isTest(h.hunk.file));
    if (inTests.length > 0) {
      hunks = hunks.filter((h) => !sources.isTest(h.hunk.file));
      state.notes.push(
        `${[...new Set(inTests.map((h) => files.relative(h.hunk.file)))].join(", ")}: test code, never edited`,
      );
    }
    state.localisation = hunks.map(
      (h) => `${files.relative(h.hunk.file)}:${h.hunk.startLine + 1}-${Math.max(h.hunk.endLine, h.hunk.startLine + 1)}`,
    );
    logger.info(`${localisation.spectrumSource} localisation; hunks: ${state.localisation.slice(0, 8).join(", ")}`);
    if (localisation.fallback) {
      state.notes.push(
        "localisation: a fallback (no coverage, test body or stack frame pointed at any line): the statements the tests run are ranked by fix-pattern priors",
      );
    }
    // Code the parser does not fully understand (a compiler extension, implicit int) is still repaired outside the
    // parse error; candidates are only held to adding no new syntax errors.
    for (const broken of localisation.brokenFiles) {
      state.notes.push(`${location(files, broken.file, broken.line)}: the parser reports a syntax error here`);
    }
    if (hunks.length === 0) {
      return emptyReport(state, "unfixed", "No suspicious code was found for the failing tests.");
    }

    const bases = new Map<string, string>();
    const baseText = async (file: string): Promise<string | undefined> => {
      if (!bases.has(file)) {
        const text = await files.read(file);
        if (text === undefined) return undefined;
        bases.set(file, text);
      }
      return bases.get(file);
    };
    warm = (env.warm ?? WarmPool.for)(command, env.root, logger, signal);
    // Runners that stop at the first failure run a candidate's suite covering tests first (runners/selection.ts).
    // The order names tests, so the baseline must have named every test it ran (JUnitCore names failures only).
    const ordering =
      runnerFor(command.kind).stopsAtFirstFailure && namesEveryTest(run)
        ? { tests: run.tests, ...(baseline.coverage ? { coverage: baseline.coverage } : {}) }
        : undefined;
    // Verdicts of warm runs and of ordered selections are confirmed cold before they are reported: the search
    // leaves time for that within the budget.
    const searchDeadline =
      warm || ordering
        ? deadline -
          Math.min(COLD_CONFIRM_BUDGET_SHARE * (deadline - Date.now()), COLD_CONFIRM_RUNS * 1000 * (run.seconds + 1))
        : deadline;
    const maxValidations = config["repair.maxValidations"];
    const candidateTimeoutMs = Math.min(
      fullTimeoutMs,
      Math.max(MIN_CANDIDATE_TIMEOUT_MS, Math.ceil(CANDIDATE_TIMEOUT_FACTOR * run.seconds * 1000)),
    );
    const validator = new PatchValidator({
      command,
      pool,
      root: env.root,
      baseText,
      baseline: {
        oracle,
        failingAtBaseline: baseline.failingAtBaseline,
        passingAtBaseline: baseline.passing.map((t) => t.name),
        totalAtBaseline: run.counts.total,
      },
      isTestFile: (file) => sources.isTest(file),
      firstRunTimeoutMs: fullTimeoutMs,
      candidateTimeoutMs,
      maxValidations,
      deadline: searchDeadline,
      hardDeadline: deadline,
      runSettings: baseline.candidateRuns,
      ...(warm ? { warm } : {}),
      ...(ordering ? { ordering } : {}),
      stopAfterPlausible: config["repair.stopAfterPlausible"],
      signal,
      logger,
      onPlausible: (record) => {
        state.firstPlausible ??= seconds(state.started);
        logger.info(
          `plausible patch after ${record.order + 1} candidates: ${record.patch.map((p) => p.candidate.description).join("; ")}`,
        );
      },
      onValidated: () => {
        const done = validator.validations;
        progress.report(
          `Validated ${plural(done, "candidate")} (${validator.plausibleCount} plausible)`,
          Math.min(95, 15 + Math.round((80 * done) / maxValidations)),
        );
      },
    });
    state.validator = validator;
    const generate = env.generate ?? (await defaultCandidateSource());
    progress.report("Generating and validating candidates", 15);
    await searchPatches({
      hunks,
      evidence: localisation.evidence satisfies FailureEvidence,
      validator,
      generate,
      readText: baseText,
      config,
      logger,
      progress,
      signal,
      ...(env.retriever ? { retriever: env.retriever } : {}),
      maxValidations,
    });

    const checkedPartials = validator.plausibleCount === 0 && !signal.aborted ? await checkPartials(validator) : [];
    const judged = await confirmedCold(validator, [...validator.completed, ...checkedPartials]);
    if (validator.warmColdDisagreements > 0) {
      state.notes.push(
        `validation: cold runs overruled ${plural(validator.warmColdDisagreements, "warm verdict")} (the cold verdict is reported)`,
      );
    }
    if (validator.budgetSpent()) state.notes.push("budget: the search stopped when the budget ran out");
    const oracleNames = oracle.map((t) => t.name);
    const { repairs, partials } = buildPatches({
      records: judged,
      oracle: oracleNames,
      bases,
      files,
    });
    const status: RepairStatus = signal.aborted
      ? "cancelled"
      : repairs.length > 0
        ? "fixed"
        : partials.length > 0
          ? "partial"
          : "unfixed";
    progress.report("Done", 100);
    return {
      status,
      message: messageFor(
        status,
        repairs,
        partials,
        oracleNames.length,
        validator.validations,
        seconds(state.started),
        files,
      ),
      testCommand: command,
      failingBefore: baseline.oracle.map((t) => t.name),
      flaky: baseline.flaky,
      testsAtBaseline: run.counts.total,
      patches: repairs,
      partials,
      unfixed: repairs.length > 0 ? [] : oracleNames,
      testFiles: state.testFiles,
      notes: state.notes,
      failureSites: state.failureSites,
      outcomes: outcomeRecords(validator.completed, files),
      validations: validator.validations,
      seconds: seconds(state.started),
      ...(state.firstPlausible !== undefined ? { secondsToFirstPlausible: state.firstPlausible } : {}),
      localisation: state.localisation,
      ...(state.shard ? { shard: state.shard } : {}),
    };
  } catch (error) {
    if (signal.aborted) return cancelled();
    const reason = errorMessage(error);
    logger.error(`${reason}`);
    return emptyReport(state, "error", `The repair failed: ${reason}.`);
  } finally {
    await warm?.close();
    await pool?.close();
  }
}

/** Why the task ends after the baseline run (tests could not run, or nothing fails), if it does. */
function baselineVerdict(
  baseline: Baseline,
  command: TestCommand,
  timeoutMs: number,
): { status: RepairStatus; message: string } | undefined {
  const run = baseline.run;
  switch (run.kind) {
    case "not-found":
      return {
        status: "misconfigured",
        message: `The test command \`${command.command}\` could not run: ${run.problem ?? "not found"}.`,
      };
    case "timeout":
      // The hanging tests could not be singled out: the suite fails, and no test can judge a patch in time.
      return {
        status: "error",
        message: `The test command \`${command.command}\` did not finish within ${Math.round(timeoutMs / 1000)} s, and the hanging tests could not be singled out.`,
      };
    case "build-error":
      return { status: "error", message: `The code does not build, so no test ran: ${run.problem ?? "build error"}.` };
    case "cancelled":
      return { status: "cancelled", message: "The repair was cancelled." };
    case "completed":
      break;
  }
  if (run.counts.total === 0)
    return { status: "no-tests", message: `The test command \`${command.command}\` ran no tests.` };
  if (baseline.oracle.length > 0) return undefined;
  const all = run.counts.total === 1 ? "The only test passes" : `All ${run.counts.total} tests pass`;
  const flaky = baseline.flaky.length > 0 ? ` (${plural(baseline.flaky.length, "flaky test")} passed on a re-run)` : "";
  return { status: "nothing-failing", message: `${all}${flaky}: there is nothing to repair.` };
}

/**
 * A place for each failing test: the test's own frame (the failing assertion), else the innermost workspace frame,
 * else the file the runner named, else the most suspicious hunk.
 */
function failureSites(
  evidence: FailureEvidence,
  oracle: Baseline["oracle"],
  hunks: readonly RankedHunk[],
  sources: SourceFiles,
  files: WorkspaceFiles,
): RepairReport["failureSites"] {
  const top = hunks[0]?.hunk;
  return oracle.flatMap((test) => {
    const frames = evidence.failingTests.find((f) => f.name === test.name)?.frames ?? [];
    const frame = frames.find((f) => sources.isTest(f.file)) ?? frames[0];
    const runnerFile = test.file ? sources.resolve(test.file) : undefined;
    const site = frame
      ? { file: frame.file, line: frame.line }
      : runnerFile
        ? { file: runnerFile, line: 0 }
        : top
          ? { file: top.file, line: top.startLine }
          : undefined;
    return site ? [{ test: test.name, file: files.relative(site.file), line: Math.max(0, site.line) }] : [];
  });
}

/** Share of the remaining budget kept for confirming warm verdicts cold, at most. */
const COLD_CONFIRM_BUDGET_SHARE = 0.25;
/** Cold full-suite runs the kept time should allow for. */
const COLD_CONFIRM_RUNS = 3;

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

/** How many partial patches get a full-suite run to learn their verdict. */
const PARTIALS_CHECKED = 3;

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

function messageFor(
  status: RepairStatus,
  repairs: readonly RepairPatch[],
  partials: readonly RepairPatch[],
  failing: number,
  validations: number,
  secs: number,
  files: WorkspaceFiles,
): string {
  const spent = `${plural(validations, "validation")}, ${secs.toFixed(1)} s`;
  const where = (patch: RepairPatch): string => patch.files.map((f) => files.relative(f.file)).join(", ");
  const best = repairs[0];
  const partial = partials[0];
  switch (status) {
    case "fixed":
      return best
        ? `Found ${repairs.length === 1 ? "a repair" : `${repairs.length} repairs`} for ${plural(failing, "failing test")} (${spent}); best: ${best.description} in ${where(best)}.`
        : "";
    case "partial":
      return partial
        ? `No repair found; a partial patch fixes ${partial.fixedTests.length} of ${plural(failing, "failing test")} without breaking others (${spent}): ${partial.description} in ${where(partial)}.`
        : "";
    case "cancelled":
      return `The repair was cancelled after ${spent}.`;
    default:
      return `No patch made the ${plural(failing, "failing test")} pass without breaking another (${spent}).`;
  }
}
