import type { Config } from "../config/schema.js";
import { bestFirstPhase } from "./combine/best-first.js";
import { greedyPhase } from "./combine/greedy.js";
import { overlaps, type HunkCandidates } from "./combine/patch.js";
import { sameTextGroups, sameTextPhase } from "./combine/same-text.js";
import { lazySingleHunkPhase, type EvaluatedPatch } from "./combine/single-hunk.js";
import type { CandidateSource } from "./candidates.js";
import { buildHunkContext } from "./context.js";
import type { RankedHunk } from "./localise/localise.js";
import type { Candidate, FailureEvidence, Logger, ProgressSink, Retriever } from "./types.js";
import type { PatchValidator } from "./validate/validator.js";
import { normaliseWhitespace } from "./generate/hunk-text.js";

/** Share of the validation budget the single-hunk phase may use before the multi-hunk phases get their turn. */
const SINGLE_HUNK_SHARE = 0.5;
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
 */
export async function searchPatches(options: SearchOptions): Promise<void> {
  const { validator, logger } = options;

  const buggyTexts = new Map<HunkCandidates, string>();
  const generateFor = async (ranked: RankedHunk): Promise<HunkCandidates | undefined> => {
    const text = await options.readText(ranked.hunk.file);
    if (text === undefined || options.signal.aborted) return undefined;
    const context = await buildHunkContext(ranked.hunk, text, options.retriever, logger);
    if (!context) return undefined;
    let candidates;
    try {
      candidates = await options.generate(context, options.evidence, {
        config: options.config,
        logger,
        progress: options.progress,
        signal: options.signal,
        ...(options.retriever ? { retriever: options.retriever } : {}),
      });
    } catch (error) {
      logger.warn(`repair: candidate generation failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    const buggy = normaliseWhitespace(context.buggyText);
    const kept = candidates
      .filter((c) => normaliseWhitespace(c.text) !== buggy || c.text === "")
      .slice(0, options.config["repair.candidatesPerHunk"]);
    logger.debug(`repair: ${kept.length} candidates for ${ranked.hunk.file}:${ranked.hunk.startLine + 1}`);
    if (kept.length === 0) return undefined;
    const list: HunkCandidates = { hunk: ranked.hunk, candidates: kept };
    buggyTexts.set(list, context.buggyText);
    return list;
  };

  // Single-hunk phase over every ranked hunk, lists generated as their turn comes, within its share of the budget.
  const generated = new Map<number, Promise<HunkCandidates | undefined>>();
  const listFor = (index: number): Promise<HunkCandidates | undefined> => {
    let pending = generated.get(index);
    if (!pending) {
      pending = generateFor(options.hunks[index]!);
      generated.set(index, pending);
    }
    return pending;
  };
  validator.startPhase("single-hunk", SINGLE_HUNK_SHARE);
  const singles = await lazySingleHunkPhase(options.hunks.length, listFor, validator);
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
    await lazySingleHunkPhase(options.hunks.length, listFor, validator);
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
    await lazySingleHunkPhase(options.hunks.length, listFor, validator);
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
  logger.debug(`repair: greedy phase reached ${greedy.failing} failing of ${validator.baselineFailing}`);
  if (validator.done()) return;

  validator.startPhase("best-first", 1);
  await bestFirstPhase(pool, validator, {
    maxHunks: Math.min(maxHunks, BEST_FIRST_MAX_HUNKS),
    maxPatches: Math.max(0, remaining()) * 4,
    candidatesPerHunk: BEST_FIRST_CANDIDATES,
  });
  if (!validator.done()) {
    validator.startPhase("single-hunk", 1);
    await lazySingleHunkPhase(options.hunks.length, listFor, validator);
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
  for (const { patch, evaluation } of singles) {
    const part = patch[0];
    if (!part || patch.length !== 1 || !(evaluation.failing < baselineFailing)) continue;
    const list = lists.find((l) => l.hunk === part.hunk);
    if (!list) continue;
    const entry = improving.get(list) ?? { best: evaluation.failing, candidates: new Set<Candidate>() };
    entry.best = Math.min(entry.best, evaluation.failing);
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
