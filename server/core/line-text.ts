/**
 * The one line and end-of-line model of source text, and the one whole-line splice. Every stage that reads a file
 * as lines or writes lines back into it goes through here, so that generation, scratch validation, the report and
 * `fix-all --apply` agree on where a line starts, which terminator a file uses and how a replaced range is
 * terminated.
 */

/** A line terminator the model writes: a file's own, as `detectEol` finds it. */
export type Eol = "\n" | "\r\n";

/**
 * The file's end-of-line sequence: the terminator of its first line (CRLF or LF; LF for a text without any). One
 * rule for every caller, so that a mixed file is read the same way everywhere.
 */
export function detectEol(text: string): Eol {
  const first = text.indexOf("\n");
  return first > 0 && text[first - 1] === "\r" ? "\r\n" : "\n";
}

/** The text with every CRLF as LF: the form candidates and model answers take inside the pipeline. */
export function normaliseLineEnds(text: string): string {
  return text.replace(/\r\n/g, "\n");
}

/**
 * A text split into lines once. Lines carry no terminator (the "\r" of a CRLF line is dropped); `starts` holds each
 * line's offset in the text plus a sentinel equal to the text's length.
 */
export interface FileLines {
  readonly text: string;
  readonly lines: readonly string[];
  readonly starts: readonly number[];
  readonly eol: Eol;
  readonly endsWithNewline: boolean;
}

export function splitFile(text: string): FileLines {
  const raw = text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  if (endsWithNewline) raw.pop();
  const starts: number[] = [];
  let offset = 0;
  for (const line of raw) {
    starts.push(offset);
    offset += line.length + 1;
  }
  starts.push(text.length);
  const lines = raw.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  return { text, lines, starts, eol: detectEol(text), endsWithNewline };
}

/** Splits text into lines keeping each line's terminator, so that joining them gives the text back. */
export function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Lines [startLine, endLine) of a text replaced by newText, which carries its own line terminators. */
export interface LineRangeEdit {
  readonly startLine: number;
  readonly endLine: number;
  readonly newText: string;
}

/**
 * The edit that puts `replacement` (lines joined with "\n"; "" deletes the range) in place of lines [startLine,
 * endLine): the new lines take the file's terminator, and the last one is terminated unless the range runs to the
 * end of a file that has no final newline, which keeps that choice.
 */
export function lineRangeEdit(file: FileLines, startLine: number, endLine: number, replacement: string): LineRangeEdit {
  const end = Math.max(startLine, endLine);
  if (replacement === "") return { startLine, endLine: end, newText: "" };
  const body = replacement.replace(/\r?\n/g, file.eol);
  const atUnterminatedEnd = end >= file.lines.length && !file.endsWithNewline && file.lines.length > 0;
  return { startLine, endLine: end, newText: atUnterminatedEnd ? body : body + file.eol };
}

/**
 * Replaces whole-line ranges bottom-up, so that earlier line numbers stay valid; the one splice used for candidates
 * in generation and scratch copies, for the report and for `fix-all --apply` on the user's files. Text added after
 * a last line without a terminator first gets the file's terminator. Takes a text or its split form (callers that
 * splice many candidates into one file split it once). Throws on overlapping ranges (a programming error of the
 * caller).
 */
export function replaceLineRanges(source: string | FileLines, edits: readonly LineRangeEdit[]): string {
  const file = typeof source === "string" ? splitFile(source) : source;
  const sorted = [...edits].sort((a, b) => b.startLine - a.startLine);
  for (let i = 1; i < sorted.length; i++) {
    const [above, below] = [sorted[i]!, sorted[i - 1]!];
    if (Math.max(above.endLine, above.startLine + 1) > below.startLine) throw new Error("overlapping line ranges");
  }
  const count = file.lines.length;
  const offset = (line: number): number => file.starts[Math.min(Math.max(line, 0), count)]!;
  let text = file.text;
  for (const { startLine, endLine, newText } of sorted) {
    const afterUnterminatedEnd = newText !== "" && startLine >= count && count > 0 && !file.endsWithNewline;
    const inserted = afterUnterminatedEnd ? file.eol + newText : newText;
    text = text.slice(0, offset(startLine)) + inserted + text.slice(offset(Math.max(startLine, endLine)));
  }
  return text;
}
