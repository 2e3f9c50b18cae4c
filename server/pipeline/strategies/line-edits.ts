import type { Patch } from "../combine/patch.js";
import type { Candidate, GeneratorId } from "../../core/types.js";

/** Lines [startLine, endLine) of a file replaced by `lines` (none: a deletion; an empty range: an insertion). */
export interface LinesEdit {
  readonly file: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly lines: readonly string[];
}

/** Longest functions (in lines) diffed line by line; the table is quadratic in their length. */
export const MAX_DIFF_LINES = 600;

/**
 * The line edits that turn `before` into `after` (a longest-common-subsequence diff), each run of changed lines one
 * edit, at file lines starting at `offset`. Undefined when either side is too long to diff.
 */
export function diffLines(
  file: string,
  before: readonly string[],
  after: readonly string[],
  offset: number,
): LinesEdit[] | undefined {
  const n = before.length;
  const m = after.length;
  if (n > MAX_DIFF_LINES || m > MAX_DIFF_LINES) return undefined;
  // common[i][j]: length of the longest common subsequence of before[i..] and after[j..].
  const common = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      common[i]![j] =
        before[i] === after[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
  const edits: LinesEdit[] = [];
  let i = 0;
  let j = 0;
  let open: { start: number; lines: string[] } | undefined;
  const close = (end: number): void => {
    if (open) edits.push({ file, startLine: offset + open.start, endLine: offset + end, lines: open.lines });
    open = undefined;
  };
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      close(i);
      i++;
      j++;
    } else if (j < m && (i >= n || common[i]![j + 1]! >= common[i + 1]![j]!)) {
      open ??= { start: i, lines: [] };
      open.lines.push(after[j]!);
      j++;
    } else {
      open ??= { start: i, lines: [] };
      i++;
    }
  }
  close(i);
  return edits;
}

/** One patch of several parts from line edits (validated as one), every part credited to the strategy. */
export function patchOf(
  edits: readonly LinesEdit[],
  generator: GeneratorId,
  description: string,
  score: number,
): Patch {
  return edits.map((edit) => {
    const candidate: Candidate = {
      text: edit.lines.join("\n"),
      score: score / edits.length,
      generator,
      editKind: "model",
      description,
    };
    return { hunk: { file: edit.file, startLine: edit.startLine, endLine: edit.endLine }, candidate };
  });
}

/** Whether two edits of one file touch overlapping or adjacent-insertion ranges (they cannot be applied together). */
export function editsClash(a: LinesEdit, b: LinesEdit): boolean {
  if (a.file !== b.file) return false;
  return a.startLine < Math.max(b.endLine, b.startLine + 1) && b.startLine < Math.max(a.endLine, a.startLine + 1);
}
