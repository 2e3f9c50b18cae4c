import { oracleFailing, type CandidateOutcome } from "../report.js";
import type { Evaluator, HunkCandidates, Patch, PatchPart } from "./patch.js";
import { overlaps } from "./patch.js";
import type { EvaluatedPatch } from "./single-hunk.js";

/** Candidates of one hunk tried before the greedy phase moves to the next hunk. */
const MAX_GREEDY_CANDIDATES = 30;

export interface GreedyResult {
  /** Every evaluated patch, in order. */
  readonly evaluated: EvaluatedPatch[];
  /** The accepted parts and the failing count they reach. */
  readonly accepted: Patch;
  readonly failing: number;
}

/**
 * Phase 2 (MultiMend): hunk by hunk, with the parts accepted so far applied, accept the first candidate that builds
 * and leaves fewer failing tests than before; F = 0 is a plausible patch. Candidates of a hunk are evaluated in
 * batches as wide as the evaluator's concurrency, and the best-ranked improving one in a batch wins.
 */
export async function greedyPhase(
  lists: readonly HunkCandidates[],
  evaluator: Evaluator,
  options: { readonly maxParts?: number } = {},
): Promise<GreedyResult> {
  const maxParts = options.maxParts ?? Infinity;
  const evaluated: EvaluatedPatch[] = [];
  let accepted: PatchPart[] = [];
  let failing = evaluator.baselineFailing;
  for (const list of lists) {
    if (failing === 0 || evaluator.done() || accepted.length >= maxParts) break;
    if (accepted.some((p) => overlaps(p.hunk, list.hunk))) continue;
    const candidates = list.candidates.slice(0, MAX_GREEDY_CANDIDATES);
    const width = Math.max(1, evaluator.concurrency);
    let improved = false;
    for (let start = 0; start < candidates.length && !improved && !evaluator.done(); start += width) {
      const batch = candidates
        .slice(start, start + width)
        .map((candidate) => [...accepted, { hunk: list.hunk, candidate }]);
      const results: (CandidateOutcome | undefined)[] = await Promise.all(
        batch.map((patch) => evaluator.evaluate(patch)),
      );
      for (let k = 0; k < batch.length; k++) {
        const outcome = results[k];
        if (!outcome) continue;
        evaluated.push({ patch: batch[k]!, outcome });
        if (!improved && oracleFailing(outcome) < failing && Number.isFinite(oracleFailing(outcome))) {
          improved = true;
          accepted = [...batch[k]!];
          failing = oracleFailing(outcome);
        }
      }
    }
  }
  return { evaluated, accepted, failing };
}
