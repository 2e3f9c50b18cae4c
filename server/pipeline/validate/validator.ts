import { languageForPath } from "../../../grammars/languages.js";
import { syntaxErrors } from "../../../grammars/parser.js";
import { applyPatch, patchKey, type Evaluator, type Patch } from "../combine/patch.js";
import type { CandidateOutcome, CombinationPhase, PatchVerdict } from "../report.js";
import type { TestOutcome, TestRunResult } from "../runners/outcomes.js";
import {
  compareWithBaseline,
  oracleStillFailing,
  verdictOf,
  type BaselineFacts,
  type SuiteComparison,
} from "../verdict.js";
import type { SpectrumEntity } from "../localise/coverage.js";
import { runTests, type CandidateRunSettings } from "../runners/run-tests.js";
import { orderTestsForCandidate, type ChangedLines } from "../runners/selection.js";
import type { WarmPool } from "../runners/warm/warm-pool.js";
import { runnerFor } from "../runners/plugins/table.js";
import type { TestCommand } from "../runners/test-command.js";
import { moduleLogger, type GeneratorId, type Logger } from "../../core/types.js";
import { sha256 } from "../workspace-files.js";
import type { Worker, WorkerPool } from "./pool.js";
import { errorMessage } from "../../core/error-message.js";

/** Failure messages a validation record keeps: the first few still-failing tests, each clipped. */
const MAX_KEPT_MESSAGES = 3;
const MAX_KEPT_MESSAGE_CHARS = 2_000;

/** The candidate run's messages of the named failing tests, bounded in count and length. */
function failureMessagesOf(run: TestRunResult | undefined, names: readonly string[]): Map<string, string> {
  const messages = new Map<string, string>();
  if (!run) return messages;
  for (const name of names) {
    if (messages.size >= MAX_KEPT_MESSAGES) break;
    const message = run.tests.find((t) => t.name === name && t.status === "failed")?.message.trim() ?? "";
    if (message !== "") messages.set(name, message.slice(0, MAX_KEPT_MESSAGE_CHARS));
  }
  return messages;
}

/** What one validation established about a patch. */
export interface ValidationRecord {
  readonly key: string;
  readonly patch: Patch;
  /** New texts of the touched files. */
  readonly texts: ReadonlyMap<string, string>;
  readonly phase: CombinationPhase;
  readonly outcome: CandidateOutcome;
  /** Oracle tests still failing. */
  readonly stillFailing: readonly string[];
  /**
   * What the candidate's own run printed for the oracle tests it still fails (test name -> message, bounded), for
   * the model's feedback rounds; empty when the tests did not run or the runner gave no messages.
   */
  readonly failureMessages: ReadonlyMap<string, string>;
  /** The full suite's result compared with the baseline, when the full suite ran. */
  readonly full?: SuiteComparison;
  /** What the patch is by the one definition (verdict.ts); undefined while the full suite has not judged it. */
  readonly verdict?: PatchVerdict;
  readonly seconds: number;
  /** Generators that proposed this exact patch (grows when another candidate produces the same texts). */
  readonly generators: Set<GeneratorId>;
  /** Order of validation, for stable output. */
  readonly order: number;
}

/** A worker's copy with the unmodified texts, lent for a run outside validation (PatchValidator.withUnpatchedCopy). */
export interface UnpatchedCopy {
  /** The copy's workspace folder, and its private parent for report files. */
  readonly root: string;
  readonly dir: string;
  /** The user's workspace root, which run output names files against. */
  readonly displayRoot: string;
  readonly command: TestCommand;
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export interface ValidatorOptions {
  readonly command: TestCommand;
  readonly pool: WorkerPool;
  /** The user's workspace root (names and messages of runs are expressed against it). */
  readonly root: string;
  /** Texts of files as the patches were computed against them (overlays included). */
  readonly baseText: (file: string) => Promise<string | undefined>;
  /** What the unmodified code did: the oracle, what failed and what passed. */
  readonly baseline: BaselineFacts;
  /** Whether a file is test code: patches that touch one are rejected without a run. */
  readonly isTestFile: (file: string) => boolean;
  /** Timeout of a worker's first run (cold build) and of later runs, in milliseconds. */
  readonly firstRunTimeoutMs: number;
  readonly candidateTimeoutMs: number;
  readonly maxValidations: number;
  /** Date.now() after which no validation starts. */
  readonly deadline: number;
  /**
   * Date.now() that no run may outlive: the job's budget. Later than `deadline` by the time kept for confirming
   * warm verdicts cold; the same when there is nothing to confirm.
   */
  readonly hardDeadline?: number;
  readonly stopAfterPlausible: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Environment for every run (on top of the worker's own). */
  readonly env?: Record<string, string>;
  /** What every candidate run adds, as the baseline found (Baseline.candidateRuns: per-test deadlines, ...). */
  readonly runSettings?: CandidateRunSettings;
  /**
   * Warm servers that run candidates in a process with the runner loaded (runners/warm/); cold runs without it.
   * Verdicts from warm runs are to be confirmed by a cold run before a patch is reported.
   */
  readonly warm?: WarmPool;
  /**
   * The baseline's tests and coverage, for runners that stop at the first failure and run selected tests in the
   * order given: a candidate that passes its failing tests then runs the rest of the suite covering tests first and
   * stops at the first regression (runners/selection.ts). Without it the rest of the suite runs whole.
   */
  readonly ordering?: { readonly tests: readonly TestOutcome[]; readonly coverage?: readonly SpectrumEntity[] };
  /** Called when a plausible patch is found (for secondsToFirstPlausible and progress). */
  readonly onPlausible?: (record: ValidationRecord) => void;
  readonly onValidated?: (record: ValidationRecord) => void;
}

/** The outcome of a run that did not complete: a timeout, or code that does not build (or run at all). */
function runFailure(run: TestRunResult): CandidateOutcome {
  return run.kind === "timeout"
    ? { kind: "timeout" }
    : { kind: "compile-error", message: run.problem ?? "the code does not build" };
}

/** Suites larger than this run whole: a command line naming every test would outgrow what shells accept. */
const MAX_ORDERED_TESTS = 2000;

/** The lines of the unmodified files a patch replaces (an insertion counts as the line it goes before). */
function changedLinesOf(patch: Patch): ChangedLines {
  const changed = new Map<string, number[]>();
  for (const { hunk } of patch) {
    const lines = changed.get(hunk.file) ?? [];
    for (let line = hunk.startLine; line < Math.max(hunk.endLine, hunk.startLine + 1); line++) lines.push(line);
    changed.set(hunk.file, lines);
  }
  return changed;
}

/**
 * Validates patches in scratch copies: syntax check (tree-sitter), then the oracle's failing tests, then the full
 * suite for patches that pass them. Results are cached by the exact texts produced, so the same patch proposed
 * twice (by two generators, or by two phases) costs one validation and counts as two votes.
 */
export class PatchValidator implements Evaluator {
  private readonly records = new Map<string, Promise<ValidationRecord | undefined>>();
  private readonly done_: ValidationRecord[] = [];
  private readonly baseErrors = new Map<string, Promise<number>>();
  private validationsStarted = 0;
  private plausible = 0;
  private disagreements = 0;
  private readonly log: Logger;
  phase: CombinationPhase = "single-hunk";
  /** Validations after which done() turns true for the current phase (the search gives each phase a share). */
  phaseLimit = Infinity;
  /** Date.now() after which done() turns true for the current phase. */
  phaseDeadline = Infinity;

  constructor(private readonly options: ValidatorOptions) {
    this.log = moduleLogger(options.logger, "repair");
  }

  get baselineFailing(): number {
    return this.options.baseline.oracle.length;
  }

  get concurrency(): number {
    return this.options.pool.size;
  }

  /** Test runs spent so far (each validated candidate is one, whatever the number of commands it took). */
  get validations(): number {
    return this.validationsStarted;
  }

  /** The task's wall-clock deadline (Date.now() units). */
  get deadline(): number {
    return this.options.deadline;
  }

  /** Gives the next phase a share of the validations and of the time that remain. */
  startPhase(phase: CombinationPhase, share: number): void {
    this.phase = phase;
    const validations = this.options.maxValidations - this.validationsStarted;
    const time = this.options.deadline - Date.now();
    this.phaseLimit = share >= 1 ? Infinity : this.validationsStarted + Math.max(1, Math.floor(validations * share));
    this.phaseDeadline = share >= 1 ? Infinity : Date.now() + Math.max(1000, time * share);
  }

  get plausibleCount(): number {
    return this.plausible;
  }

  /** Every completed validation, in validation order. */
  get completed(): readonly ValidationRecord[] {
    return this.done_;
  }

  budgetSpent(): boolean {
    return this.validationsStarted >= this.options.maxValidations || Date.now() >= this.options.deadline;
  }

  done(): boolean {
    return (
      this.options.signal.aborted ||
      this.budgetSpent() ||
      this.plausible >= this.options.stopAfterPlausible ||
      this.validationsStarted >= this.phaseLimit ||
      Date.now() >= this.phaseDeadline
    );
  }

  async evaluate(patch: Patch): Promise<CandidateOutcome | undefined> {
    return (await this.validate(patch))?.outcome;
  }

  /** Validates a patch (or returns the cached record); undefined when out of budget or cancelled. */
  async validate(patch: Patch): Promise<ValidationRecord | undefined> {
    if (this.options.signal.aborted) return undefined;
    const bases = new Map<string, string>();
    for (const part of patch) {
      if (bases.has(part.hunk.file)) continue;
      const text = await this.options.baseText(part.hunk.file);
      if (text === undefined) return undefined;
      bases.set(part.hunk.file, text);
    }
    let texts: Map<string, string>;
    try {
      texts = applyPatch(patch, bases);
    } catch {
      return undefined;
    }
    const key = patchKey(texts, sha256);
    const existing = this.records.get(key);
    if (existing) {
      const record = await existing;
      for (const part of patch) record?.generators.add(part.candidate.generator);
      return record;
    }
    if (this.done()) return undefined;
    const pending = this.run(key, patch, texts, bases);
    this.records.set(key, pending);
    const record = await pending;
    if (!record) this.records.delete(key);
    return record;
  }

  private async baseErrorCount(file: string, text: string): Promise<number> {
    let pending = this.baseErrors.get(file);
    if (!pending) {
      const language = languageForPath(file)?.id;
      pending = language ? syntaxErrors(text, language).then((e) => e.length) : Promise.resolve(0);
      this.baseErrors.set(file, pending);
    }
    return pending;
  }

  private async gainsSyntaxErrors(
    texts: ReadonlyMap<string, string>,
    bases: ReadonlyMap<string, string>,
  ): Promise<boolean> {
    for (const [file, text] of texts) {
      const language = languageForPath(file)?.id;
      if (!language) continue;
      const before = await this.baseErrorCount(file, bases.get(file) ?? "");
      if ((await syntaxErrors(text, language)).length > before) return true;
    }
    return false;
  }

  private finish(
    key: string,
    patch: Patch,
    texts: ReadonlyMap<string, string>,
    outcome: CandidateOutcome,
    started: number,
    extra: { stillFailing: readonly string[]; full?: ValidationRecord["full"]; run?: TestRunResult },
  ): ValidationRecord {
    const record: ValidationRecord = {
      key,
      patch,
      texts,
      phase: this.phase,
      outcome,
      stillFailing: extra.stillFailing,
      failureMessages: failureMessagesOf(extra.run, extra.stillFailing),
      ...(extra.full ? { full: extra.full, verdict: verdictOf(this.options.baseline, extra.full) } : {}),
      seconds: (performance.now() - started) / 1000,
      generators: new Set(patch.map((p) => p.candidate.generator)),
      order: this.done_.length,
    };
    this.done_.push(record);
    this.options.onValidated?.(record);
    if (outcome.kind === "plausible") {
      this.plausible++;
      this.options.onPlausible?.(record);
    }
    return record;
  }

  private async run(
    key: string,
    patch: Patch,
    texts: Map<string, string>,
    bases: Map<string, string>,
  ): Promise<ValidationRecord | undefined> {
    const started = performance.now();
    const oracleNames = this.options.baseline.oracle.map((t) => t.name);
    const rejectedWithoutRun = (outcome: CandidateOutcome): ValidationRecord =>
      this.finish(key, patch, texts, outcome, started, { stillFailing: oracleNames });
    // Test code is the oracle: a patch that edits it proves nothing, whatever the tests then say.
    const testFile = patch.find((p) => this.options.isTestFile(p.hunk.file));
    if (testFile) return rejectedWithoutRun({ kind: "touches-tests", file: testFile.hunk.file });
    if (await this.gainsSyntaxErrors(texts, bases)) return rejectedWithoutRun({ kind: "syntax-error" });
    if (this.done()) return undefined;
    this.validationsStarted++;
    try {
      return await this.inWorker(texts, (worker) => this.validateIn(worker, key, patch, texts, started));
    } catch (error) {
      this.log.warn(`validation failed: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /** The validation proper, in a worker whose copy already holds the patched texts. */
  private async validateIn(
    worker: Worker,
    key: string,
    patch: Patch,
    texts: Map<string, string>,
    started: number,
  ): Promise<ValidationRecord | undefined> {
    const oracleNames = this.options.baseline.oracle.map((t) => t.name);
    const judged = (
      outcome: CandidateOutcome,
      extra: { stillFailing: readonly string[]; full?: SuiteComparison; run?: TestRunResult },
    ) => this.finish(key, patch, texts, outcome, started, extra);
    const { oracle } = this.options.baseline;
    // Where the runner can, the rest of the suite runs likeliest-to-break first and stops at the first regression;
    // runners that can also run the failing tests first in the same run do both in one (one process, one
    // collection). A run that does not complete is taken again in two, so that each part is judged on its own.
    const ordered = this.options.command.canSelect ? this.suiteOrder(patch) : undefined;
    let orderedRun: TestRunResult | undefined;
    if (ordered && oracle.length > 0 && runnerFor(this.options.command.kind).runsOracleFirst) {
      const oracleOnce = new Set(oracleNames);
      const rest = ordered.filter((t) => !oracleOnce.has(t.name));
      const run = await this.runIn(worker, [...oracle, ...rest], { oracleFirst: oracleOnce.size });
      if (run.kind === "cancelled") return undefined;
      if (run.kind === "completed") orderedRun = run;
    }
    const first = orderedRun ?? (await this.runIn(worker, oracle));
    if (first.kind === "cancelled") return undefined;
    if (first.kind !== "completed") return judged(runFailure(first), { stillFailing: oracleNames });
    const failing = oracleStillFailing(oracle, first);
    if (failing.length > 0) {
      return judged(
        { kind: "failing-tests", count: failing.length, regressions: 0 },
        { stillFailing: failing, run: first },
      );
    }
    // The failing tests pass: the rest of the suite decides between a repair and a patch that breaks other tests.
    if (ordered) {
      const run = orderedRun ?? (await this.runIn(worker, ordered, { stopAtFirstFailure: true }));
      if (run.kind === "cancelled") return undefined;
      const broken = run.kind === "completed" ? this.regressionsIn(run) : [];
      if (broken.length > 0) {
        // The run stopped early: what did not run is unknown, so this record has no verdict (none is needed: a
        // patch that breaks a test is neither a repair nor a partial patch).
        return judged(
          { kind: "failing-tests", count: broken.length, regressions: broken.length },
          { stillFailing: oracleStillFailing(this.options.baseline.oracle, run), run },
        );
      }
      const comparison = compareWithBaseline(this.options.baseline, run);
      if (run.kind === "completed" && comparison.regressions.length === 0 && comparison.stillFailing.length === 0) {
        return judged({ kind: "plausible" }, { stillFailing: [], full: comparison });
      }
      // Anything else (a flaky test that stopped the run, a run that did not complete) is judged by the whole suite.
    }
    const full = this.options.command.canSelect ? await this.runIn(worker, undefined) : first;
    if (full.kind === "cancelled") return undefined;
    const comparison = compareWithBaseline(this.options.baseline, full);
    if (full.kind !== "completed") return judged(runFailure(full), { stillFailing: [], full: comparison });
    if (comparison.regressions.length > 0 || comparison.stillFailing.length > 0) {
      const count = comparison.regressions.length + comparison.stillFailing.length;
      return judged(
        { kind: "failing-tests", count, regressions: comparison.regressions.length },
        { stillFailing: comparison.stillFailing, full: comparison, run: full },
      );
    }
    return judged({ kind: "plausible" }, { stillFailing: [], full: comparison });
  }

  /**
   * The whole baseline suite in the order a candidate's run should take (runners/selection.ts), with the tests that
   * failed at baseline last (a flaky one must not stop the run before the others ran); undefined when the run is
   * to be whole instead: no ordering facts, or a suite too large to name.
   */
  private suiteOrder(patch: Patch): TestOutcome[] | undefined {
    const ordering = this.options.ordering;
    if (!ordering || ordering.tests.length === 0 || ordering.tests.length > MAX_ORDERED_TESTS) return undefined;
    const { failingAtBaseline } = this.options.baseline;
    const order = orderTestsForCandidate({
      oracle: [],
      tests: ordering.tests.filter((t) => !failingAtBaseline.has(t.name)),
      ...(ordering.coverage ? { coverage: ordering.coverage } : {}),
      changed: changedLinesOf(patch),
    });
    return [...order, ...ordering.tests.filter((t) => failingAtBaseline.has(t.name) && t.status !== "skipped")];
  }

  /** Tests that fail in a run and did not fail at baseline. */
  private regressionsIn(run: TestRunResult): string[] {
    const { failingAtBaseline } = this.options.baseline;
    return run.tests.filter((t) => t.status === "failed" && !failingAtBaseline.has(t.name)).map((t) => t.name);
  }

  /**
   * Runs the full suite for a patch that fixes some failing tests but not all, so that its verdict (partial, or
   * neither when it breaks a test) is known before it is reported. Costs one validation, allowed past the
   * validation count (the search has usually spent it when only partial patches exist) but not past the deadline;
   * undefined when cancelled, out of time, or when the suite did not run.
   */
  async checkPartial(record: ValidationRecord): Promise<ValidationRecord | undefined> {
    if (this.options.signal.aborted || Date.now() >= this.options.deadline) return undefined;
    this.validationsStarted++;
    return this.inWorker(record.texts, async (worker) => {
      const full = await this.runIn(worker, undefined);
      if (full.kind !== "completed") return undefined;
      return this.judgedBy(record, full);
    });
  }

  /**
   * A record judged again by a full-suite run: its comparison with the baseline and its verdict, which is set
   * undefined or not, so that an earlier verdict never survives a run that finds none.
   */
  private judgedBy(record: ValidationRecord, full: TestRunResult): ValidationRecord {
    const comparison = compareWithBaseline(this.options.baseline, full);
    return {
      ...record,
      stillFailing: comparison.stillFailing,
      failureMessages: failureMessagesOf(full, comparison.stillFailing),
      full: comparison,
      verdict: verdictOf(this.options.baseline, comparison),
    };
  }

  /**
   * Whether verdicts are to be confirmed by a cold run of the whole command before they are reported: when warm
   * servers or ordered selections judged them (a selection names the baseline's tests; the command may run more).
   */
  get needsConfirmation(): boolean {
    return this.options.warm !== undefined || this.options.ordering !== undefined;
  }

  /** Warm verdicts that a cold run overruled. */
  get warmColdDisagreements(): number {
    return this.disagreements;
  }

  /**
   * Judges a record again by a cold run of the full test command (a new process, nothing warm), when warm runs
   * judged it: the cold verdict wins, and a disagreement is logged and counted. Nothing warm may ever produce a
   * false repair. Undefined when cancelled or when the cold run could not be had.
   */
  async confirmCold(record: ValidationRecord): Promise<ValidationRecord | undefined> {
    if (!this.needsConfirmation) return record;
    if (this.options.signal.aborted) return undefined;
    return this.inWorker(record.texts, async (worker) => {
      const full = await this.runIn(worker, undefined, { cold: true });
      if (full.kind === "cancelled") return undefined;
      const judged = this.judgedBy(record, full);
      if (judged.verdict !== record.verdict) {
        this.disagreements++;
        this.log.warn(
          `a cold run overruled a warm verdict (${record.verdict ?? "none"} -> ${judged.verdict ?? "none"}) for ${record.patch.map((p) => p.candidate.description).join("; ")}`,
        );
      }
      return judged;
    });
  }

  /**
   * Runs fn in a pooled worker whose scratch copy holds `texts`, then restores the copy and returns the worker to
   * the pool whatever happened. Undefined when no worker can be had or the task was cancelled meanwhile.
   */
  /**
   * Lends a worker's copy, holding the unmodified texts, to a run of the caller's own (the tracing run of a failing
   * test that records execution values), with the test command and the environment validation runs get. The run
   * counts as no validation; undefined when cancelled or when no copy could be had.
   */
  async withUnpatchedCopy<T>(fn: (copy: UnpatchedCopy) => Promise<T | undefined>): Promise<T | undefined> {
    return this.inWorker(new Map(), (worker) =>
      fn({
        root: worker.copy.root,
        dir: worker.copy.dir,
        displayRoot: this.options.root,
        command: this.options.command,
        env: { ...worker.copy.env, ...(this.options.env ?? {}) },
        timeoutMs: Math.min(this.options.candidateTimeoutMs, Math.max(1000, this.options.deadline - Date.now())),
        signal: this.options.signal,
      }),
    );
  }

  private async inWorker<T>(
    texts: ReadonlyMap<string, string>,
    fn: (worker: Worker) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    let worker: Worker;
    try {
      worker = await this.options.pool.acquire();
    } catch {
      return undefined;
    }
    try {
      if (this.options.signal.aborted) return undefined;
      await worker.copy.apply(texts);
      return await fn(worker);
    } finally {
      try {
        await worker.copy.restore();
      } catch {
        // The copy is being removed (cancellation); nothing to restore.
      }
      this.options.pool.release(worker);
    }
  }

  private async runIn(
    worker: Worker,
    only: readonly TestOutcome[] | undefined,
    options: { cold?: boolean; stopAtFirstFailure?: boolean; oracleFirst?: number } = {},
  ): Promise<TestRunResult> {
    const ownTimeoutMs = worker.runs === 0 ? this.options.firstRunTimeoutMs : this.options.candidateTimeoutMs;
    // The budget bounds the whole job: no run may outlive it (by more than a second to start it).
    const hardDeadline = this.options.hardDeadline ?? this.options.deadline;
    const timeoutMs = Math.min(ownTimeoutMs, Math.max(1000, hardDeadline - Date.now()));
    worker.runs++;
    return runTests(this.options.command, {
      cwd: worker.copy.root,
      displayRoot: this.options.root,
      timeoutMs,
      signal: this.options.signal,
      env: { ...worker.copy.env, ...(this.options.env ?? {}) },
      reportParent: worker.copy.dir,
      ...(only ? { only } : {}),
      ...(options.stopAtFirstFailure ? { stopAtFirstFailure: true } : {}),
      ...(options.oracleFirst !== undefined ? { oracleFirst: options.oracleFirst } : {}),
      ...(this.options.runSettings ?? {}),
      ...(this.options.warm && !options.cold ? { executor: this.options.warm.executorFor(worker) } : {}),
    });
  }
}
