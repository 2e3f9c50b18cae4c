import type { CandidateOutcome } from "../report.js";
import type { Evaluator, HunkCandidates, Patch } from "./patch.js";
import { candidatePriority, hunkWeights, MAX_CANDIDATE_SCORE } from "./priority.js";

export interface EvaluatedPatch {
  readonly patch: Patch;
  readonly outcome: CandidateOutcome;
}

/**
 * The hunk whose next candidate goes first: the highest candidatePriority among the lists' heads, ties to the
 * earlier hunk. A list not generated yet (undefined) stands for the best candidate it could offer, its weight
 * times MAX_CANDIDATE_SCORE; a list that could not be generated (null) or is used up takes no part. Returns -1
 * when nothing is left. Only the heads are read, so a live list takes late candidates behind what was read.
 */
function nextHunk(
  lists: readonly (HunkCandidates | null | undefined)[],
  weights: readonly number[],
  next: readonly number[],
): number {
  let best = -1;
  let bestKey = -Infinity;
  lists.forEach((list, i) => {
    if (list === null || (list && next[i]! >= list.candidates.length)) return;
    const weight = weights[i]!;
    const key = list ? candidatePriority(weight, list.candidates[next[i]!]!) : weight * MAX_CANDIDATE_SCORE;
    if (key > bestKey) {
      bestKey = key;
      best = i;
    }
  });
  return best;
}

/**
 * The order in which single-hunk candidates are tried when the right hunk is not known: a merge of the hunks'
 * lists by candidatePriority, the hunk's suspiciousness times the candidate's score (family prior, donor
 * similarity, size). A strong candidate of a suspicious hunk comes before a weak one of a less suspicious hunk,
 * and a weak hunk's strongest candidates still come before the long tail of the top hunk's list. `suspiciousness`
 * holds each list's localisation score. Lists come bounded and de-duplicated from where they are made
 * (repair.candidatesPerHunk, filterCandidates); an equal text from a second generator is kept, since voting
 * counts the generators behind a patch (rank.ts).
 */
export function* interleaved(lists: readonly HunkCandidates[], suspiciousness: readonly number[]): Generator<Patch> {
  const weights = hunkWeights(lists.map((_, i) => suspiciousness[i] ?? 0));
  const next = lists.map(() => 0);
  for (let i = nextHunk(lists, weights, next); i >= 0; i = nextHunk(lists, weights, next)) {
    const candidate = lists[i]!.candidates[next[i]!]!;
    next[i]!++;
    yield [{ hunk: lists[i]!.hunk, candidate }];
  }
}

/**
 * Phase 0: every hunk alone, candidates interleaved across hunks by priority, in parallel. `suspiciousness` holds
 * the localisation score of each hunk index. Candidate lists are asked for lazily, when no candidate already at
 * hand can outrank the best one the hunk could offer (its weight times MAX_CANDIDATE_SCORE), so that slow
 * generators (a model) do not hold up validation of the first hunks; the order is the same as interleaved()'s.
 * Only the head of each list is read before it is handed out (a live list takes late candidates behind what was
 * read).
 */
export async function lazySingleHunkPhase(
  suspiciousness: readonly number[],
  listFor: (index: number) => Promise<HunkCandidates | undefined>,
  evaluator: Evaluator,
): Promise<EvaluatedPatch[]> {
  const hunkCount = suspiciousness.length;
  const weights = hunkWeights(suspiciousness);
  const lists: (HunkCandidates | null | undefined)[] = Array.from({ length: hunkCount }, () => undefined);
  const next = Array.from({ length: hunkCount }, () => 0);
  let chain: Promise<unknown> = Promise.resolve();

  const pick = async (): Promise<Patch | undefined> => {
    for (;;) {
      const best = nextHunk(lists, weights, next);
      if (best < 0) return undefined;
      const list = lists[best];
      if (list === undefined) {
        lists[best] = (await listFor(best)) ?? null;
        continue;
      }
      if (list === null) continue;
      const candidate = list.candidates[next[best]!]!;
      next[best]!++;
      return [{ hunk: list.hunk, candidate }];
    }
  };
  // Picks are serialised so that concurrent workers take candidates in exactly the interleaved order.
  const nextPatch = (): Promise<Patch | undefined> => {
    const result = chain.then(pick);
    chain = result.catch(() => undefined);
    return result;
  };

  const out: EvaluatedPatch[] = [];
  const worker = async (): Promise<void> => {
    while (!evaluator.done()) {
      const patch = await nextPatch();
      if (!patch) return;
      const outcome = await evaluator.evaluate(patch);
      if (outcome) out.push({ patch, outcome });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, evaluator.concurrency) }, () => worker()));
  return out;
}

/** Phase 0 over lists known in advance, with each list's localisation score. */
export function singleHunkPhase(
  lists: readonly HunkCandidates[],
  suspiciousness: readonly number[],
  evaluator: Evaluator,
): Promise<EvaluatedPatch[]> {
  return lazySingleHunkPhase(
    lists.map((_, i) => suspiciousness[i] ?? 0),
    (i) => Promise.resolve(lists[i]),
    evaluator,
  );
}
