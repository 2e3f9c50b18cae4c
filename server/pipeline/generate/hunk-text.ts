import type { Hunk } from "../../core/types.js";

/**
 * A file split into lines once, so that every generator and filter agrees on where a hunk starts and ends. Lines
 * carry no line terminator (a trailing "\r" of a CRLF file is dropped); `starts` holds each line's offset in the
 * original text plus a sentinel equal to the text's length.
 */
export interface FileLines {
  readonly text: string;
  readonly lines: readonly string[];
  readonly starts: readonly number[];
  readonly eol: "\n" | "\r\n";
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
  const eol = raw.length > 0 && raw[0]!.endsWith("\r") ? "\r\n" : "\n";
  const lines = raw.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  return { text, lines, starts, eol, endsWithNewline };
}

/** Offset where a line starts; lines past the end start at the end of the text. */
export function lineStart(file: FileLines, line: number): number {
  return file.starts[Math.min(Math.max(line, 0), file.lines.length)] ?? file.text.length;
}

/** Offset just after a line's content (before its terminator). */
export function lineContentEnd(file: FileLines, line: number): number {
  const text = file.lines[line];
  return text === undefined ? file.text.length : lineStart(file, line) + text.length;
}

/**
 * The text span a hunk covers: from the start of its first line to the end of its last line's content. An
 * insertion (empty hunk) is an empty span at the start of its line.
 */
export function hunkSpan(file: FileLines, hunk: Hunk): { start: number; end: number } {
  const start = lineStart(file, hunk.startLine);
  if (hunk.endLine <= hunk.startLine) return { start, end: start };
  return { start, end: lineContentEnd(file, hunk.endLine - 1) };
}

/** The hunk's lines joined with "\n", as HunkContext.buggyText carries them. */
export function hunkLines(file: FileLines, hunk: Hunk): string[] {
  return file.lines.slice(hunk.startLine, Math.max(hunk.startLine, hunk.endLine));
}

/**
 * The file with the hunk's lines replaced by `replacement` (lines joined with "\n"; "" deletes the lines). The
 * file's own line terminator is used for the new lines.
 */
export function replaceHunk(file: FileLines, hunk: Hunk, replacement: string): string {
  const endLine = Math.max(hunk.startLine, hunk.endLine);
  const before = file.text.slice(0, lineStart(file, hunk.startLine));
  const after = file.text.slice(lineStart(file, endLine));
  if (replacement === "") return before + after;
  let body = replacement.split("\n").join(file.eol);
  // A replacement that runs to the end of a file keeps the file's choice about a final newline.
  const atEnd = endLine >= file.lines.length;
  if (!atEnd || file.endsWithNewline) body += file.eol;
  const needsLeadingBreak = before.length > 0 && !before.endsWith("\n");
  return before + (needsLeadingBreak ? file.eol : "") + body + after;
}

/** Collapses every run of whitespace, so that candidates differing only in layout compare equal (MultiMend). */
export function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The line holding a file offset (binary search over line starts). */
export function lineOfOffset(file: FileLines, offset: number): number {
  let lo = 0;
  let hi = file.lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (file.starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(0, lo);
}

/**
 * Converts a file offset to an offset in the hunk's lines joined with "\n" (the form candidates take), which
 * differs from the file's offsets in CRLF files.
 */
export function offsetInHunkText(file: FileLines, hunkStartLine: number, offset: number): number {
  const row = lineOfOffset(file, offset);
  let position = 0;
  for (let i = hunkStartLine; i < row; i++) position += file.lines[i]!.length + 1;
  const column = Math.min(offset - file.starts[row]!, file.lines[row]?.length ?? 0);
  return position + column;
}
