import { patchKey, type Patch } from "./combine/patch.js";
import type { GeneratorId } from "../core/types.js";

/** A patch that made the failing tests pass, with what ranking needs to know about it. */
export interface RankInput {
  readonly patch: Patch;
  /** New texts of the touched files. */
  readonly texts: ReadonlyMap<string, string>;
  readonly regressions: number;
  readonly generators: ReadonlySet<GeneratorId>;
  /** Order of validation: the last tie-breaker, for determinism. */
  readonly order: number;
}

export interface Ranked<T extends RankInput> {
  readonly item: T;
  /** Distinct generators that proposed an equivalent patch. */
  readonly votes: number;
  readonly generators: readonly GeneratorId[];
}

/**
 * Normalises a patched text for voting (Agentless-style): line, block and `# ` comments dropped, whitespace collapsed,
 * so that patches that differ only in layout count as one.
 */
export function normaliseForVoting(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'])\/\/[^\n]*/g, "$1")
    .replace(/(^|\s)#\s[^\n]*/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}

/** Lines changed by a patch (removed + added), the size measure of ranking. */
export function diffSize(patch: Patch): number {
  return patch.reduce((sum, part) => {
    const added = part.candidate.text === "" ? 0 : part.candidate.text.split("\n").length;
    return sum + (part.hunk.endLine - part.hunk.startLine) + added;
  }, 0);
}

function candidateScore(patch: Patch): number {
  return patch.reduce((s, p) => s + p.candidate.score, 0);
}

/**
 * Ranks patches: fewest regressions, then agreement between generators after normalisation (voting), then the
 * smaller diff, then the higher candidate score. Equivalent patches (same normalised texts) are merged into the
 * best-ranked one, which carries their votes.
 */
export function rankPatches<T extends RankInput>(inputs: readonly T[]): Ranked<T>[] {
  const groups = new Map<string, T[]>();
  for (const input of inputs) {
    const key = patchKey(input.texts, normaliseForVoting);
    groups.set(key, [...(groups.get(key) ?? []), input]);
  }
  const merged: Ranked<T>[] = [];
  for (const members of groups.values()) {
    const generators = new Set<GeneratorId>();
    for (const m of members) for (const g of m.generators) generators.add(g);
    members.sort(compareWithoutVotes);
    merged.push({ item: members[0]!, votes: generators.size, generators: [...generators].sort() });
  }
  return merged.sort(
    (a, b) => a.item.regressions - b.item.regressions || b.votes - a.votes || compareWithoutVotes(a.item, b.item),
  );
}

function compareWithoutVotes(a: RankInput, b: RankInput): number {
  return (
    a.regressions - b.regressions ||
    diffSize(a.patch) - diffSize(b.patch) ||
    candidateScore(b.patch) - candidateScore(a.patch) ||
    a.order - b.order
  );
}
