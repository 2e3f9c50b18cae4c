import type { Candidate, Hunk } from "../../core/types.js";

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

/** How a validated patch fared. */
export type OutcomeKind = "syntax-error" | "compile-error" | "failing-tests" | "timeout" | "plausible";

export interface Evaluation {
  readonly kind: OutcomeKind;
  /** Oracle tests still failing (Infinity when nothing could run: syntax or compile error, timeout). */
  readonly failing: number;
}

/**
 * Validates patches for the combination phases. The engine's implementation applies them in scratch copies and
 * runs tests; unit tests script it.
 */
export interface Evaluator {
  /** Failing oracle tests on the unmodified code. */
  readonly baselineFailing: number;
  /** Evaluates a patch; undefined when the budget is spent or the task was cancelled before it could run. */
  evaluate(patch: Patch): Promise<Evaluation | undefined>;
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

/** Splits text into lines keeping each line's terminator, so that joining them gives the text back. */
export function splitLinesKeepEnds(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines;
}

/** The file's end-of-line sequence (CRLF when its first line ends so). */
export function eolOf(text: string): string {
  return /\r\n/.test(text.slice(0, 10_000)) ? "\r\n" : "\n";
}

/**
 * The replacement text for a hunk's lines as it goes into the file: candidate lines joined with the file's line
 * ending, terminated like the replaced lines were (the last line of a file may have no newline).
 */
export function replacementText(candidate: string, original: readonly string[], eol: string): string {
  if (candidate === "") return "";
  const body = candidate.replace(/\r?\n/g, eol);
  const lastOriginal = original[original.length - 1];
  const terminated = lastOriginal === undefined || /\n$/.test(lastOriginal);
  return terminated ? body + eol : body;
}

/** Lines [startLine, endLine) of a text replaced by newText, which carries its own line terminators. */
export interface LineRangeEdit {
  readonly startLine: number;
  readonly endLine: number;
  readonly newText: string;
}

/**
 * Replaces whole-line ranges bottom-up, so that earlier line numbers stay valid; the one splice used both for
 * candidates in scratch copies and for `fix-all --apply` on the user's files. Throws on overlapping ranges (a
 * programming error of the caller).
 */
export function replaceLineRanges(text: string, edits: readonly LineRangeEdit[]): string {
  const lines = splitLinesKeepEnds(text);
  const sorted = [...edits].sort((a, b) => b.startLine - a.startLine);
  for (let i = 1; i < sorted.length; i++) {
    const [above, below] = [sorted[i]!, sorted[i - 1]!];
    if (Math.max(above.endLine, above.startLine + 1) > below.startLine) throw new Error("overlapping line ranges");
  }
  for (const { startLine, endLine, newText } of sorted) {
    lines.splice(startLine, endLine - startLine, ...(newText === "" ? [] : [newText]));
  }
  return lines.join("");
}

/**
 * Applies a patch to file texts: each hunk's candidate, terminated like the lines it replaces, goes in through
 * replaceLineRanges. Returns the new text of every touched file. Throws on overlapping hunks.
 */
export function applyPatch(patch: Patch, texts: ReadonlyMap<string, string>): Map<string, string> {
  const byFile = new Map<string, PatchPart[]>();
  for (const part of patch) byFile.set(part.hunk.file, [...(byFile.get(part.hunk.file) ?? []), part]);
  const out = new Map<string, string>();
  for (const [file, parts] of byFile) {
    const text = texts.get(file);
    if (text === undefined) throw new Error(`no text for ${file}`);
    const lines = splitLinesKeepEnds(text);
    const eol = eolOf(text);
    const edits = parts.map(({ hunk, candidate }) => ({
      startLine: hunk.startLine,
      endLine: hunk.endLine,
      newText: replacementText(candidate.text, lines.slice(hunk.startLine, hunk.endLine), eol),
    }));
    out.set(file, replaceLineRanges(text, edits));
  }
  return out;
}
