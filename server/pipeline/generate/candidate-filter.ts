import type { Candidate, HunkContext } from "../../core/types.js";
import { codeKey } from "./code-key.js";
import type { SyntaxChecker } from "./syntax-check.js";

export interface FilterOptions {
  readonly context: HunkContext;
  readonly checker: SyntaxChecker;
  /** Most candidates to keep ("repair.candidatesPerHunk"). */
  readonly cap: number;
  /** Stops the (sequential) syntax checks early when the task is cancelled. */
  readonly signal?: AbortSignal;
}

/** Best first; equal scores keep their input order (so one generator's own ranking survives the merge). */
export function byScore(candidates: readonly Candidate[]): Candidate[] {
  return candidates
    .map((candidate, index) => ({ candidate, index }))
    .sort((a, b) => b.candidate.score - a.candidate.score || a.index - b.index)
    .map(({ candidate }) => candidate);
}

/**
 * The filters every generator's output goes through, in rank order until the cap is reached: drop candidates
 * equal to the buggy code, de-duplicate after whitespace normalisation (codeKey), and drop candidates whose patched file
 * has more syntax errors than the buggy file. The empty (deletion) candidate is kept like any other. A candidate
 * rejected for syntax does not block a differently laid out duplicate below it (in Python the layout matters).
 */
export async function filterCandidates(candidates: readonly Candidate[], options: FilterOptions): Promise<Candidate[]> {
  // In indentation-sensitive languages the key keeps leading whitespace: an indentation-only fix is a real edit.
  const language = options.context.language;
  const buggy = codeKey(options.context.buggyText, language);
  const seen = new Set<string>();
  const kept: Candidate[] = [];
  for (const candidate of byScore(candidates)) {
    if (kept.length >= options.cap || options.signal?.aborted) break;
    const key = codeKey(candidate.text, language);
    if (key === buggy || seen.has(key)) continue;
    if (!(await options.checker.accepts(candidate.text))) continue;
    seen.add(key);
    kept.push(candidate);
  }
  return kept;
}
