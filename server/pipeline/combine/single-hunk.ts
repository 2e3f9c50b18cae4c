import type { CandidateOutcome } from "../report.js";
import type { Evaluator, HunkCandidates, Patch } from "./patch.js";

export interface EvaluatedPatch {
  readonly patch: Patch;
  readonly outcome: CandidateOutcome;
}

/**
 * The order in which single-hunk candidates are tried when the right hunk is not known: hunk i's candidate j has
 * priority (i + 1) * (j + 1), so the most suspicious hunk's best candidates come first, and every hunk's first
 * candidates come before the long tail of the first hunk's list.
 */
export function* interleaved(lists: readonly HunkCandidates[]): Generator<Patch> {
  const entries: { i: number; j: number; key: number }[] = [];
  lists.forEach((list, i) => list.candidates.forEach((_, j) => entries.push({ i, j, key: (i + 1) * (j + 1) })));
  entries.sort((a, b) => a.key - b.key || a.i - b.i || a.j - b.j);
  for (const { i, j } of entries) {
    const list = lists[i]!;
    yield [{ hunk: list.hunk, candidate: list.candidates[j]! }];
  }
}

/**
 * Phase 0: every hunk alone, candidates interleaved across hunks by rank, in parallel. Candidate lists are asked
 * for lazily, when a hunk's first candidate comes up in the interleaved order (key i + 1), so that slow generators
 * (a model) do not hold up validation of the first hunks; the order is the same as interleaved()'s.
 */
export async function lazySingleHunkPhase(
  hunkCount: number,
  listFor: (index: number) => Promise<HunkCandidates | undefined>,
  evaluator: Evaluator,
): Promise<EvaluatedPatch[]> {
  const lists: (HunkCandidates | null | undefined)[] = Array.from({ length: hunkCount }, () => undefined);
  const next = Array.from({ length: hunkCount }, () => 0);
  let chain: Promise<unknown> = Promise.resolve();

  const pick = async (): Promise<Patch | undefined> => {
    for (;;) {
      let best = -1;
      let bestKey = Infinity;
      for (let i = 0; i < hunkCount; i++) {
        const list = lists[i];
        if (list === null) continue;
        if (list && next[i]! >= list.candidates.length) continue;
        const key = (i + 1) * (next[i]! + 1);
        if (key < bestKey) {
          bestKey = key;
          best = i;
        }
      }
      if (best < 0) return undefined;
      const list = lists[best];
      if (list === undefined) {
        lists[best] = (await listFor(best)) ?? null;
        continue;
      }
      if (list === null) continue;
      const j = next[best]!;
      next[best] = j + 1;
      return [{ hunk: list.hunk, candidate: list.candidates[j]! }];
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

/** Phase 0 over lists known in advance. */
export function singleHunkPhase(lists: readonly HunkCandidates[], evaluator: Evaluator): Promise<EvaluatedPatch[]> {
  return lazySingleHunkPhase(lists.length, (i) => Promise.resolve(lists[i]), evaluator);
}
