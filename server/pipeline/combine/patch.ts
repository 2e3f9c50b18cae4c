import type { Candidate, Hunk } from "../../core/types.js";
import type { CandidateOutcome } from "../report.js";
import { lineRangeEdit, replaceLineRanges, splitFile } from "../../core/line-text.js";

/** One hunk's replacement within a patch. */
export interface PatchPart {
  readonly hunk: Hunk;
  readonly candidate: Candidate;
}

/** A candidate patch: replacements for one or more non-overlapping hunks, possibly in several files. */
export type Patch = readonly PatchPart[];

/** A hunk with its ranked candidate list: the input of every combination phase. */
export interface HunkCandidates {
  readonly hunk: Hunk;
  /** Candidates best first. */
  readonly candidates: readonly Candidate[];
}

/**
 * Validates patches for the combination phases. The engine's implementation applies them in scratch copies and
 * runs tests; unit tests script it.
 */
export interface Evaluator {
  /** Failing oracle tests on the unmodified code. */
  readonly baselineFailing: number;
  /** Evaluates a patch; undefined when the budget is spent or the task was cancelled before it could run. */
  evaluate(patch: Patch): Promise<CandidateOutcome | undefined>;
  /** Whether to stop: budget spent, enough plausible patches, or cancelled. */
  done(): boolean;
  /** Parallel validations the evaluator can run. */
  readonly concurrency: number;
}

export function overlaps(a: Hunk, b: Hunk): boolean {
  if (a.file !== b.file) return false;
  const aEnd = Math.max(a.endLine, a.startLine + 1);
  const bEnd = Math.max(b.endLine, b.startLine + 1);
  return a.startLine < bEnd && b.startLine < aEnd;
}

/**
 * The one identity of a patch: the files it produces, in path order, each with a key of its new text. The
 * validator keys by an exact hash (a patch is validated once); ranking keys by normalised text (equivalent patches
 * are merged and vote together).
 */
export function patchKey(texts: ReadonlyMap<string, string>, textKey: (text: string) => string): string {
  return [...texts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([file, text]) => `${file}\u0000${textKey(text)}`)
    .join("\u0001");
}

/**
 * Applies a patch to file texts: each hunk's candidate goes in through the one splice of server/core/line-text.ts. Returns the new text of every touched file. Throws on overlapping hunks.
 */
export function applyPatch(patch: Patch, texts: ReadonlyMap<string, string>): Map<string, string> {
  const byFile = new Map<string, PatchPart[]>();
  for (const part of patch) byFile.set(part.hunk.file, [...(byFile.get(part.hunk.file) ?? []), part]);
  const out = new Map<string, string>();
  for (const [file, parts] of byFile) {
    const text = texts.get(file);
    if (text === undefined) throw new Error(`no text for ${file}`);
    const lines = splitFile(text);
    const edits = parts.map(({ hunk, candidate }) =>
      lineRangeEdit(lines, hunk.startLine, hunk.endLine, candidate.text),
    );
    out.set(file, replaceLineRanges(lines, edits));
  }
  return out;
}
