import { defaultMaxListeners, setMaxListeners } from "node:events";
import type { Config } from "../core/config-schema.js";
import { bestFirstPhase } from "./combine/best-first.js";
import { greedyPhase } from "./combine/greedy.js";
import { overlaps, type HunkCandidates } from "./combine/patch.js";
import { sameTextGroups, sameTextPhase } from "./combine/same-text.js";
import { lazySingleHunkPhase, singleHunkPhase, type EvaluatedPatch } from "./combine/single-hunk.js";
import type { CandidateSource } from "./candidates.js";
import { buildHunkContext } from "./context.js";
import type { RankedHunk } from "./localise/localise.js";
import { codeKey } from "./generate/code-key.js";
import { LiveCandidates } from "./live-candidates.js";
import { runStrategies } from "./strategies/run-strategies.js";
import {
  type Candidate,
  type FailureEvidence,
  type Logger,
  type ProgressSink,
  type Retriever,
  moduleLogger,
} from "../core/types.js";
import { oracleFailing } from "./report.js";
import type { PatchValidator } from "./validate/validator.js";
import { errorMessage } from "../core/error-message.js";

/** Abort listeners one hunk's generation may add to the search's generation signal (task, requests, loads). */
const GENERATION_LISTENERS_PER_HUNK = 4;
/** Share of the validation budget the single-hunk phase may use before the multi-hunk phases get their turn. */
const SINGLE_HUNK_SHARE = 0.5;
/** Share of the remaining budget for the model strategies (they run after the single-hunk phase). */
const STRATEGY_SHARE = 0.4;
/** Hunks the multi-hunk phases combine. */
const MULTI_HUNK_POOL = 6;
/** Share of the remaining budget for the same-text and greedy phases (best-first gets the rest). */
const SAME_TEXT_SHARE = 0.15;
const GREEDY_SHARE = 0.35;
/** Candidates per hunk the best-first search looks at. */
const BEST_FIRST_CANDIDATES = 20;
/** Largest combination the best-first search builds (the space grows as candidates^hunks). */
const BEST_FIRST_MAX_HUNKS = 3;

export interface SearchOptions {
  readonly hunks: readonly RankedHunk[];
  readonly evidence: FailureEvidence;
  readonly validator: PatchValidator;
  readonly generate: CandidateSource;
  readonly readText: (file: string) => Promise<string | undefined>;
  readonly config: Config;
  readonly logger: Logger;
  readonly progress: ProgressSink;
  readonly signal: AbortSignal;
  readonly retriever?: Retriever;
  /** Validations allowed in total (the validator enforces it; phases get shares of it). */
  readonly maxValidations: number;
}

/**
 * The repair search over ranked hunks: single-hunk candidates interleaved across hunks (the right hunk is not
 * known in advance), then, while nothing plausible is found, the multi-hunk phases: same text everywhere, greedy
 * acceptance by failing-test count, and a bounded best-first search over combinations.
 *
 * Validation never waits on a model: a hunk's template candidates are validated at once, the model's join the
 * hunk's queue by score when they arrive, the next hunk's generation starts while the current one is validated,
 * and model work stops at the task's deadline (it counts against repair.budgetSeconds) or when the search ends.
 */
export async function searchPatches(options: SearchOptions): Promise<void> {
  // Model work stops when the task is cancelled, at the task's deadline, or when the search ends.
  const searchEnded = new AbortController();
  const generation = AbortSignal.any([
    options.signal,
    searchEnded.signal,
    AbortSignal.timeout(Math.max(0, Math.ceil(options.validator.deadline - Date.now()))),
  ]);
  // Every hunk whose model answers are pending listens to this signal; many hunks may wait at once.
  setMaxListeners(Math.max(defaultMaxListeners, GENERATION_LISTENERS_PER_HUNK * options.hunks.length), generation);
  const late = new LateCandidates();
  try {
    await searchPhases(options, generation, late);
    await late.validateRest(options.validator, generation);
  } finally {
    searchEnded.abort();
  }
}

/** Model candidates that arrive after their hunk's list was made, and the deliveries still expected. */
class LateCandidates {
  private readonly lives: { live: LiveCandidates; suspiciousness: number }[] = [];
  private readonly pending = new Set<Promise<void>>();

  /** Inserts a hunk's late candidates into its live list (of a hunk with that localisation score) when they arrive. */
  track(live: LiveCandidates, suspiciousness: number, arriving: Promise<Candidate[]>): void {
    this.lives.push({ live, suspiciousness });
    const placed: Promise<void> = arriving
      .then(
        (candidates) => live.insert(candidates),
        () => undefined,
      )
      .finally(() => this.pending.delete(placed));
    this.pending.add(placed);
  }

  /**
   * Validates the late candidates the phases did not take, waiting for deliveries still expected, until the
   * validator is done or generation stops.
   */
  async validateRest(validator: PatchValidator, signal: AbortSignal): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    while (!validator.done() && !signal.aborted) {
      const waiting = this.lives.filter((l) => l.live.waiting > 0);
      if (waiting.length > 0) {
        const lists = waiting.map((l) => l.live.takeWaiting());
        await singleHunkPhase(
          lists,
          waiting.map((l) => l.suspiciousness),
          validator,
        );
        continue;
      }
      if (this.pending.size === 0) return;
      await Promise.race([...this.pending, stopped]);
    }
  }
}

async function searchPhases(
  options: SearchOptions,
  generationSignal: AbortSignal,
  late: LateCandidates,
): Promise<void> {
  const { validator } = options;
  const logger = moduleLogger(options.logger, "repair");

  const buggyTexts = new Map<HunkCandidates, string>();
  const generateListFor = async (ranked: RankedHunk): Promise<HunkCandidates | undefined> => {
    const text = await options.readText(ranked.hunk.file);
    if (text === undefined || options.signal.aborted) return undefined;
    const context = await buildHunkContext(ranked.hunk, text, options.retriever, logger, options.signal);
    if (!context) return undefined;
    const buggy = codeKey(context.buggyText, context.language);
    // The buggy code itself is no candidate; an indentation-only change is one in indentation-sensitive languages.
    const useful = (c: Candidate): boolean => codeKey(c.text, context.language) !== buggy || c.text === "";
    let arriving: Promise<Candidate[]> | undefined;
    let candidates;
    try {
      candidates = await options.generate(context, options.evidence, {
        config: options.config,
        logger,
        progress: options.progress,
        signal: generationSignal,
        onLateCandidates: (promise) => {
          arriving = promise;
        },
        ...(options.retriever ? { retriever: options.retriever } : {}),
      });
    } catch (error) {
      logger.warn(`candidate generation failed: ${errorMessage(error)}`);
      return undefined;
    }
    const kept = candidates.filter(useful).slice(0, options.config["repair.candidatesPerHunk"]);
    logger.debug(`${kept.length} candidates for ${ranked.hunk.file}:${ranked.hunk.startLine + 1}`);
    const live = new LiveCandidates(ranked.hunk, kept);
    if (arriving)
      late.track(
        live,
        ranked.score,
        arriving.then((arrived) => arrived.filter(useful)),
      );
    if (kept.length === 0) return undefined;
    buggyTexts.set(live.list, context.buggyText);
    return live.list;
  };
  const generateFor = (ranked: RankedHunk): Promise<HunkCandidates | undefined> =>
    generateListFor(ranked).catch((error: unknown) => {
      // A list generated ahead may never be awaited: its failure is logged here, not left unhandled.
      logger.warn(`candidate generation failed: ${errorMessage(error)}`);
      return undefined;
    });

  // Single-hunk phase over every ranked hunk, lists generated as their turn comes, within its share of the budget.
  const generated = new Map<number, Promise<HunkCandidates | undefined>>();
  const listFor = (index: number): Promise<HunkCandidates | undefined> => {
    let pending = generated.get(index);
    if (!pending) {
      pending = generateFor(options.hunks[index]!);
      generated.set(index, pending);
      // The next hunk's generation (its model calls above all) runs ahead while this hunk is validated.
      const next = index + 1;
      if (next < options.hunks.length && !generated.has(next) && !options.signal.aborted)
        void pending.then(() => (validator.done() ? undefined : listFor(next)));
    }
    return pending;
  };
  const suspiciousness = options.hunks.map((h) => h.score);
  validator.startPhase("single-hunk", SINGLE_HUNK_SHARE);
  const singles = await lazySingleHunkPhase(suspiciousness, listFor, validator);
  validator.startPhase("single-hunk", 1);
  if (validator.done()) return;
  // The model strategies (feedback rounds, joint and function-level edits) take their share before the combination
  // phases; they see every candidate validated so far.
  await runStrategies({ ...options, share: STRATEGY_SHARE });
  validator.startPhase("single-hunk", 1);
  if (validator.done()) return;
  const everyList = async (): Promise<HunkCandidates[]> => {
    const out: HunkCandidates[] = [];
    for (let i = 0; i < options.hunks.length; i++) {
      const list = generated.has(i) ? await generated.get(i) : undefined;
      if (list) out.push(list);
    }
    return out;
  };
  if (validator.plausibleCount > 0) {
    // Something plausible exists: spend what is left looking for alternatives among single hunks.
    await lazySingleHunkPhase(suspiciousness, listFor, validator);
    return;
  }
  // Hunks not generated yet (the budget share ran out) still join the multi-hunk phases.
  for (let i = 0; i < options.hunks.length; i++) {
    const lists = await everyList();
    if (lists.length >= MULTI_HUNK_POOL || options.signal.aborted) break;
    if (!generated.has(i) && !lists.some((l) => overlaps(l.hunk, options.hunks[i]!.hunk))) await listFor(i);
  }
  const { pool, poolTexts } = multiHunkPool(await everyList(), singles, validator.baselineFailing, buggyTexts);
  if (pool.length < 2) {
    await lazySingleHunkPhase(suspiciousness, listFor, validator);
    return;
  }
  const maxHunks = options.config["repair.maxHunks"];
  const remaining = (): number => options.maxValidations - validator.validations;

  validator.startPhase("same-text", SAME_TEXT_SHARE);
  await sameTextPhase(sameTextGroups(pool, poolTexts, maxHunks), validator);
  validator.startPhase("same-text", 1);
  if (validator.done()) return;

  validator.startPhase("greedy", GREEDY_SHARE);
  const greedy = await greedyPhase(pool, validator, { maxParts: maxHunks });
  validator.startPhase("greedy", 1);
  logger.debug(`greedy phase reached ${greedy.failing} failing of ${validator.baselineFailing}`);
  if (validator.done()) return;

  validator.startPhase("best-first", 1);
  await bestFirstPhase(pool, validator, {
    maxHunks: Math.min(maxHunks, BEST_FIRST_MAX_HUNKS),
    maxPatches: Math.max(0, remaining()) * 4,
    candidatesPerHunk: BEST_FIRST_CANDIDATES,
  });
  if (!validator.done()) {
    validator.startPhase("single-hunk", 1);
    await lazySingleHunkPhase(suspiciousness, listFor, validator);
  }
}

/**
 * The hunks the multi-hunk phases combine: first those where a single edit already lowered the failing count
 * (each is likely one of several bug sites; best improvement first), then the rest by suspiciousness, without
 * overlaps. Within a hunk, the improving candidates move to the front, so that greedy acceptance tries them first.
 */
export function multiHunkPool(
  lists: readonly HunkCandidates[],
  singles: readonly EvaluatedPatch[],
  baselineFailing: number,
  buggyTexts: ReadonlyMap<HunkCandidates, string>,
): { pool: HunkCandidates[]; poolTexts: string[] } {
  const improving = new Map<HunkCandidates, { best: number; candidates: Set<Candidate> }>();
  for (const { patch, outcome } of singles) {
    const part = patch[0];
    if (!part || patch.length !== 1 || !(oracleFailing(outcome) < baselineFailing)) continue;
    const list = lists.find((l) => l.hunk === part.hunk);
    if (!list) continue;
    const entry = improving.get(list) ?? { best: oracleFailing(outcome), candidates: new Set<Candidate>() };
    entry.best = Math.min(entry.best, oracleFailing(outcome));
    entry.candidates.add(part.candidate);
    improving.set(list, entry);
  }
  const ordered = [
    ...[...improving.keys()].sort((a, b) => improving.get(a)!.best - improving.get(b)!.best),
    ...lists.filter((l) => !improving.has(l)),
  ];
  const pool: HunkCandidates[] = [];
  const poolTexts: string[] = [];
  for (const list of ordered) {
    if (pool.length >= MULTI_HUNK_POOL || pool.some((p) => overlaps(p.hunk, list.hunk))) continue;
    const better = improving.get(list)?.candidates;
    const candidates = better
      ? [...list.candidates.filter((c) => better.has(c)), ...list.candidates.filter((c) => !better.has(c))]
      : list.candidates;
    const reordered = { hunk: list.hunk, candidates };
    pool.push(reordered);
    poolTexts.push(buggyTexts.get(list) ?? "");
  }
  return { pool, poolTexts };
}
