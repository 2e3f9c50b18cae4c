import type { Candidate } from "../../core/types.js";
import { overlaps, type Evaluator, type HunkCandidates, type Patch } from "./patch.js";
import type { EvaluatedPatch } from "./single-hunk.js";
import { runOrdered } from "./schedule.js";
import { normaliseWhitespace } from "../generate/hunk-text.js";

/** Most same-text patches tried per hunk set. */
const MAX_SAME_TEXT_PATCHES = 40;

/**
 * Patches that apply the same text to every hunk (MultiMend's first phase): texts present in every hunk's list
 * (compared after whitespace normalisation; each hunk keeps its own indentation), ranked by the sum of their
 * per-hunk ranks.
 */
export function sameTextPatches(lists: readonly HunkCandidates[]): Patch[] {
  if (lists.length < 2) return [];
  const ranks = lists.map((list) => {
    const byText = new Map<string, { rank: number; candidate: Candidate }>();
    list.candidates.forEach((candidate, rank) => {
      const key = normaliseWhitespace(candidate.text);
      if (!byText.has(key)) byText.set(key, { rank, candidate });
    });
    return byText;
  });
  const shared: { key: string; sum: number }[] = [];
  for (const key of ranks[0]!.keys()) {
    if (ranks.every((r) => r.has(key))) shared.push({ key, sum: ranks.reduce((s, r) => s + r.get(key)!.rank, 0) });
  }
  shared.sort((a, b) => a.sum - b.sum || (a.key < b.key ? -1 : 1));
  return shared.map(({ key }) =>
    lists.map((list, i) => ({ hunk: list.hunk, candidate: ranks[i]!.get(key)!.candidate })),
  );
}

/** Hunk sets worth trying with one shared text: hunks whose buggy code is the same, and the top hunks together. */
export function sameTextGroups(
  lists: readonly HunkCandidates[],
  buggyTexts: readonly string[],
  maxHunks: number,
): HunkCandidates[][] {
  const groups: HunkCandidates[][] = [];
  const byText = new Map<string, HunkCandidates[]>();
  lists.forEach((list, i) => {
    const key = normaliseWhitespace(buggyTexts[i] ?? "");
    if (key === "") return;
    const group = byText.get(key) ?? [];
    if (group.length < maxHunks && group.every((g) => !overlaps(g.hunk, list.hunk))) group.push(list);
    byText.set(key, group);
  });
  for (const group of byText.values()) if (group.length >= 2) groups.push(group);
  const top: HunkCandidates[] = [];
  for (const list of lists) {
    if (top.length >= maxHunks) break;
    if (top.every((t) => !overlaps(t.hunk, list.hunk))) top.push(list);
  }
  if (top.length >= 2) groups.push(top);
  return groups;
}

/** Phase 1: same text everywhere, for each hunk set. */
export async function sameTextPhase(
  groups: readonly HunkCandidates[][],
  evaluator: Evaluator,
): Promise<EvaluatedPatch[]> {
  const out: EvaluatedPatch[] = [];
  for (const group of groups) {
    if (evaluator.done()) break;
    await runOrdered(
      sameTextPatches(group).slice(0, MAX_SAME_TEXT_PATCHES),
      evaluator.concurrency,
      async (patch) => {
        const outcome = await evaluator.evaluate(patch);
        if (outcome) out.push({ patch, outcome });
      },
      () => evaluator.done(),
    );
  }
  return out;
}
