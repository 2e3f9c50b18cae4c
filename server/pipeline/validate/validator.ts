import { languageForPath } from "../../../grammars/languages.js";
import { syntaxErrors } from "../../../grammars/parser.js";
import { applyPatch, type Evaluation, type Evaluator, type Patch } from "../combine/patch.js";
import type { CandidateOutcome, CombinationPhase } from "../report.js";
import type { TestOutcome, TestRunResult } from "../runners/outcomes.js";
import { runTests } from "../runners/run-tests.js";
import type { TestCommand } from "../runners/test-command.js";
import type { GeneratorId, Logger } from "../types.js";
import { sha256 } from "../workspace-files.js";
import type { Worker, WorkerPool } from "./pool.js";

/** What one validation established about a patch. */
export interface ValidationRecord {
  readonly key: string;
  readonly patch: Patch;
  /** New texts of the touched files. */
  readonly texts: ReadonlyMap<string, string>;
  readonly phase: CombinationPhase;
  readonly evaluation: Evaluation;
  readonly outcome: CandidateOutcome;
  /** Oracle tests still failing. */
  readonly stillFailing: readonly string[];
  /** Full-suite result, when the oracle tests all passed. */
  readonly full?: { readonly passed: number; readonly total: number; readonly regressions: readonly string[] };
  readonly seconds: number;
  /** Generators that proposed this exact patch (grows when another candidate produces the same texts). */
  readonly generators: Set<GeneratorId>;
  /** Order of validation, for stable output. */
  readonly order: number;
}

export interface ValidatorOptions {
  readonly command: TestCommand;
  readonly pool: WorkerPool;
  /** The user's workspace root (names and messages of runs are expressed against it). */
  readonly root: string;
  /** Texts of files as the patches were computed against them (overlays included). */
  readonly baseText: (file: string) => Promise<string | undefined>;
  /** The oracle: tests failing consistently on the unmodified code. */
  readonly oracle: readonly TestOutcome[];
  /** Every test that failed on the unmodified code, flaky ones included: their failures are not regressions. */
  readonly failingAtBaseline: ReadonlySet<string>;
  /** Timeout of a worker's first run (cold build) and of later runs, in milliseconds. */
  readonly firstRunTimeoutMs: number;
  readonly candidateTimeoutMs: number;
  readonly maxValidations: number;
  /** Date.now() after which no validation starts. */
  readonly deadline: number;
  readonly stopAfterPlausible: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Environment for every run (on top of the worker's own). */
  readonly env?: Record<string, string>;
  /** Called when a plausible patch is found (for secondsToFirstPlausible and progress). */
  readonly onPlausible?: (record: ValidationRecord) => void;
  readonly onValidated?: (record: ValidationRecord) => void;
}

function patchKey(texts: ReadonlyMap<string, string>): string {
  return [...texts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([file, text]) => `${file}\u0000${sha256(text)}`)
    .join("\u0001");
}

/** Oracle tests not passing in a run. A test missing from a run that names every test it ran did not pass. */
function stillFailing(oracle: readonly TestOutcome[], run: TestRunResult): string[] {
  if (!run.perTest) return run.tests.some((t) => t.status === "failed") ? oracle.map((t) => t.name) : [];
  const byName = new Map(run.tests.map((t) => [t.name, t.status]));
  // JUnitCore names failures only: a missing test passed when the run counted more tests than it named.
  const namesEveryTest = run.counts.total <= run.tests.length;
  return oracle
    .filter((t) => {
      const status = byName.get(t.name);
      return status === "failed" || (status === undefined && namesEveryTest);
    })
    .map((t) => t.name);
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
  phase: CombinationPhase = "single-hunk";
  /** Validations after which done() turns true for the current phase (the search gives each phase a share). */
  phaseLimit = Infinity;
  /** Date.now() after which done() turns true for the current phase. */
  phaseDeadline = Infinity;

  constructor(private readonly options: ValidatorOptions) {}

  get baselineFailing(): number {
    return this.options.oracle.length;
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

  async evaluate(patch: Patch): Promise<Evaluation | undefined> {
    return (await this.validate(patch))?.evaluation;
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
    const key = patchKey(texts);
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
    evaluation: Evaluation,
    started: number,
    extra: { stillFailing: readonly string[]; full?: ValidationRecord["full"] },
  ): ValidationRecord {
    const record: ValidationRecord = {
      key,
      patch,
      texts,
      phase: this.phase,
      evaluation,
      outcome,
      stillFailing: extra.stillFailing,
      ...(extra.full ? { full: extra.full } : {}),
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
    const oracleNames = this.options.oracle.map((t) => t.name);
    if (await this.gainsSyntaxErrors(texts, bases)) {
      return this.finish(
        key,
        patch,
        texts,
        { kind: "syntax-error" },
        { kind: "syntax-error", failing: Infinity },
        started,
        {
          stillFailing: oracleNames,
        },
      );
    }
    if (this.done()) return undefined;
    this.validationsStarted++;
    try {
      return await this.inWorker(texts, (worker) => this.validateIn(worker, key, patch, texts, started));
    } catch (error) {
      this.options.logger.warn(`repair: validation failed: ${error instanceof Error ? error.message : String(error)}`);
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
    const oracleNames = this.options.oracle.map((t) => t.name);
    const first = await this.runIn(worker, this.options.oracle);
    if (first.kind === "cancelled") return undefined;
    if (first.kind === "timeout") {
      return this.finish(key, patch, texts, { kind: "timeout" }, { kind: "timeout", failing: Infinity }, started, {
        stillFailing: oracleNames,
      });
    }
    if (first.kind === "build-error" || first.kind === "not-found") {
      const message = first.problem ?? "the code does not build";
      return this.finish(
        key,
        patch,
        texts,
        { kind: "compile-error", message },
        { kind: "compile-error", failing: Infinity },
        started,
        { stillFailing: oracleNames },
      );
    }
    const failing = stillFailing(this.options.oracle, first);
    if (failing.length > 0) {
      return this.finish(
        key,
        patch,
        texts,
        { kind: "failing-tests", count: failing.length, regressions: 0 },
        { kind: "failing-tests", failing: failing.length },
        started,
        { stillFailing: failing },
      );
    }
    // The failing tests pass: the full suite decides between plausible and regressions.
    const full = this.options.command.canSelect ? await this.runIn(worker, undefined) : first;
    if (full.kind === "cancelled") return undefined;
    if (full.kind !== "completed") {
      const outcome: CandidateOutcome =
        full.kind === "timeout" ? { kind: "timeout" } : { kind: "compile-error", message: full.problem ?? "" };
      return this.finish(key, patch, texts, outcome, { kind: outcome.kind, failing: Infinity }, started, {
        stillFailing: [],
      });
    }
    const fullResult = this.fullSuiteResult(full);
    const regressions = fullResult.regressions;
    if (regressions.length > 0) {
      return this.finish(
        key,
        patch,
        texts,
        { kind: "failing-tests", count: regressions.length, regressions: regressions.length },
        { kind: "failing-tests", failing: regressions.length },
        started,
        { stillFailing: [], full: fullResult },
      );
    }
    return this.finish(key, patch, texts, { kind: "plausible" }, { kind: "plausible", failing: 0 }, started, {
      stillFailing: [],
      full: fullResult,
    });
  }

  /**
   * Runs the full suite for a patch that fixes some failing tests but not all (a partial repair), so that its
   * regressions are known before it is reported. Costs one validation, allowed past the budget (the search has
   * usually spent it when only partial repairs exist); undefined when cancelled or when the suite did not run.
   */
  async checkPartial(record: ValidationRecord): Promise<ValidationRecord | undefined> {
    if (this.options.signal.aborted) return undefined;
    this.validationsStarted++;
    return this.inWorker(record.texts, async (worker) => {
      const full = await this.runIn(worker, undefined);
      if (full.kind !== "completed") return undefined;
      return { ...record, stillFailing: stillFailing(this.options.oracle, full), full: this.fullSuiteResult(full) };
    });
  }

  /**
   * Runs fn in a pooled worker whose scratch copy holds `texts`, then restores the copy and returns the worker to
   * the pool whatever happened. Undefined when no worker can be had or the task was cancelled meanwhile.
   */
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

  /** Passed, total and regressions (failures not already failing at baseline) of a completed full-suite run. */
  private fullSuiteResult(full: TestRunResult): { passed: number; total: number; regressions: string[] } {
    const regressions = full.tests
      .filter((t) => t.status === "failed" && !this.options.failingAtBaseline.has(t.name))
      .map((t) => t.name);
    return { passed: full.counts.total - full.counts.failed, total: full.counts.total, regressions };
  }

  private async runIn(worker: Worker, only: readonly TestOutcome[] | undefined): Promise<TestRunResult> {
    const timeoutMs = worker.runs === 0 ? this.options.firstRunTimeoutMs : this.options.candidateTimeoutMs;
    worker.runs++;
    return runTests(this.options.command, {
      cwd: worker.copy.root,
      displayRoot: this.options.root,
      timeoutMs,
      signal: this.options.signal,
      env: { ...worker.copy.env, ...(this.options.env ?? {}) },
      reportParent: worker.copy.dir,
      ...(only ? { only } : {}),
    });
  }
}
