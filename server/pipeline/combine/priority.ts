import type { Candidate } from "../../core/types.js";

/**
 * The least weight a localised hunk keeps: a hunk the localisation ranked far below the top one (a refinement
 * line under an editor selection scored 1000, a function body at half its line's score) still gets its strongest
 * candidates tried before the top hunk's weakest ones.
 */
export const MIN_HUNK_WEIGHT = 0.02;

/**
 * The highest score any generator gives a candidate (a unanimous model answer; template priors, memory and donor
 * candidates stay below it). A hunk whose list is not generated yet can offer no candidate above its weight times
 * this, which is what lets lists be generated lazily without changing the order.
 */
export const MAX_CANDIDATE_SCORE = 1;

/**
 * Hunk weights in [MIN_HUNK_WEIGHT, 1] from localisation scores (higher is more suspicious, comparable within one
 * localisation): each score relative to the highest. Scores that cannot be compared (none positive, or not finite)
 * give every hunk weight 1, so that the candidates' own scores decide and ties go to the earlier hunk.
 */
export function hunkWeights(suspiciousness: readonly number[]): number[] {
  const finite = suspiciousness.every((s) => Number.isFinite(s));
  const top = finite ? Math.max(0, ...suspiciousness) : 0;
  if (top <= 0) return suspiciousness.map(() => 1);
  return suspiciousness.map((s) => Math.min(1, Math.max(MIN_HUNK_WEIGHT, s / top)));
}

/**
 * A candidate's priority across hunks: the hunk's weight (its suspiciousness) times the candidate's score, which
 * every generator computes as its family prior times its confidence within the family (for a donor, the
 * similarity of the retrieved line it came from; 1 for edits not fed by retrieval) times the size factor
 * (server/pipeline/generate/template/edits.ts). Scores outside [0, MAX_CANDIDATE_SCORE] are clamped, so that a
 * generator's bad number can never jump the queue.
 */
export function candidatePriority(hunkWeight: number, candidate: Candidate): number {
  const score = Number.isFinite(candidate.score) ? candidate.score : 0;
  return hunkWeight * Math.min(MAX_CANDIDATE_SCORE, Math.max(0, score));
}
