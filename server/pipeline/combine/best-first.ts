import type { Evaluator, HunkCandidates, Patch } from "./patch.js";
import { overlaps } from "./patch.js";
import { runOrdered } from "./schedule.js";
import type { EvaluatedPatch } from "./single-hunk.js";

export interface BestFirstOptions {
  /** Largest number of hunks in one combination. */
  readonly maxHunks: number;
  /** Most combinations evaluated by this phase. */
  readonly maxPatches: number;
  /** Candidates considered per hunk. */
  readonly candidatesPerHunk?: number;
}

interface State {
  readonly hunks: readonly number[];
  readonly picks: readonly number[];
  readonly score: number;
}

function* subsets(n: number, size: number, start = 0, prefix: number[] = []): Generator<number[]> {
  if (prefix.length === size) {
    yield prefix;
    return;
  }
  for (let i = start; i < n; i++) yield* subsets(n, size, i + 1, [...prefix, i]);
}

/**
 * Combinations of candidates for two or more hunks, best summed candidate score first: a best-first enumeration
 * (each state's successors advance one hunk to its next candidate) so that no combination is generated before a
 * better one. Finds interdependent hunks whose single edits do not lower the failing count on their own.
 */
export function* bestFirstCombinations(lists: readonly HunkCandidates[], options: BestFirstOptions): Generator<Patch> {
  const perHunk = options.candidatesPerHunk ?? Infinity;
  const limit = lists.map((l) => Math.min(l.candidates.length, perHunk));
  const scoreOf = (hunks: readonly number[], picks: readonly number[]): number =>
    hunks.reduce((s, h, k) => s + lists[h]!.candidates[picks[k]!]!.score, 0);
  const heap: State[] = [];
  const seen = new Set<string>();
  const push = (state: State): void => {
    const key = `${state.hunks.join(",")}|${state.picks.join(",")}`;
    if (seen.has(key)) return;
    seen.add(key);
    heap.push(state);
    // Sift up: a binary max-heap by score, ties by fewer hunks then lower picks for determinism.
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (better(heap[parent]!, heap[i]!)) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  };
  const pop = (): State | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < heap.length && better(heap[l]!, heap[best]!)) best = l;
        if (r < heap.length && better(heap[r]!, heap[best]!)) best = r;
        if (best === i) break;
        [heap[best], heap[i]] = [heap[i]!, heap[best]!];
        i = best;
      }
    }
    return top;
  };
  for (let size = 2; size <= Math.min(options.maxHunks, lists.length); size++) {
    for (const hunks of subsets(lists.length, size)) {
      const disjoint = hunks.every((a, x) =>
        hunks.every((b, y) => x >= y || !overlaps(lists[a]!.hunk, lists[b]!.hunk)),
      );
      if (!disjoint || hunks.some((h) => limit[h]! === 0)) continue;
      const picks = hunks.map(() => 0);
      push({ hunks, picks, score: scoreOf(hunks, picks) });
    }
  }
  let produced = 0;
  while (produced < options.maxPatches) {
    const state = pop();
    if (!state) return;
    produced++;
    yield state.hunks.map((h, k) => ({ hunk: lists[h]!.hunk, candidate: lists[h]!.candidates[state.picks[k]!]! }));
    state.hunks.forEach((h, k) => {
      if (state.picks[k]! + 1 >= limit[h]!) return;
      const picks = state.picks.map((p, kk) => (kk === k ? p + 1 : p));
      push({ hunks: state.hunks, picks, score: scoreOf(state.hunks, picks) });
    });
  }
}

function better(a: State, b: State): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.hunks.length !== b.hunks.length) return a.hunks.length < b.hunks.length;
  const sa = a.picks.reduce((s, p) => s + p, 0);
  const sb = b.picks.reduce((s, p) => s + p, 0);
  if (sa !== sb) return sa < sb;
  return a.hunks.join(",") < b.hunks.join(",");
}

/** Phase 3: bounded best-first search over combinations. */
export async function bestFirstPhase(
  lists: readonly HunkCandidates[],
  evaluator: Evaluator,
  options: BestFirstOptions,
): Promise<EvaluatedPatch[]> {
  const out: EvaluatedPatch[] = [];
  await runOrdered(
    bestFirstCombinations(lists, options),
    evaluator.concurrency,
    async (patch) => {
      const outcome = await evaluator.evaluate(patch);
      if (outcome) out.push({ patch, outcome });
    },
    () => evaluator.done(),
  );
  return out;
}
