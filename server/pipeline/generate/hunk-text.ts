import type { Hunk } from "../../core/types.js";
import { lineRangeEdit, replaceLineRanges, type FileLines } from "../../core/line-text.js";

/*
 * Hunk geometry over the one line model of server/core/line-text.ts: where a hunk's lines start and end, and the
 * file with a hunk replaced.
 */

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
 * The file with the hunk's lines replaced by `replacement` (lines joined with "\n"; "" deletes the lines), through
 * the one splice: the new lines take the file's own terminator.
 */
export function replaceHunk(file: FileLines, hunk: Hunk, replacement: string): string {
  return replaceLineRanges(file, [lineRangeEdit(file, hunk.startLine, hunk.endLine, replacement)]);
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
