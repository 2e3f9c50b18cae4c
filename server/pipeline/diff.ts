import { splitLinesKeepEnds } from "../core/line-text.js";
import type { LineEdit } from "./report.js";

const CONTEXT = 3;

function body(line: string): string {
  return line.endsWith("\n") ? line.slice(0, -1) : line;
}

/**
 * A unified diff of one file from line edits (which never overlap), with three lines of context, a/ and b/
 * paths relative to the root, and "\ No newline at end of file" markers, so that `git apply` accepts it.
 */
export function unifiedDiff(relativePath: string, baseText: string, edits: readonly LineEdit[]): string {
  const lines = splitLinesKeepEnds(baseText);
  const sorted = [...edits].sort((a, b) => a.startLine - b.startLine);
  const groups: LineEdit[][] = [];
  for (const edit of sorted) {
    const last = groups[groups.length - 1];
    const previous = last?.[last.length - 1];
    if (last && previous && edit.startLine - previous.endLine <= 2 * CONTEXT) last.push(edit);
    else groups.push([edit]);
  }
  const out = [`diff --git a/${relativePath} b/${relativePath}`, `--- a/${relativePath}`, `+++ b/${relativePath}`];
  let delta = 0;
  for (const group of groups) {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const start = Math.max(0, first.startLine - CONTEXT);
    const end = Math.min(lines.length, last.endLine + CONTEXT);
    const hunk: string[] = [];
    const emit = (prefix: string, line: string): void => {
      hunk.push(prefix + body(line));
      if (!line.endsWith("\n")) hunk.push("\\ No newline at end of file");
    };
    let cursor = start;
    let added = 0;
    let removed = 0;
    for (const edit of group) {
      for (; cursor < edit.startLine; cursor++) emit(" ", lines[cursor]!);
      for (let k = edit.startLine; k < edit.endLine; k++) {
        emit("-", lines[k]!);
        removed++;
      }
      for (const line of splitLinesKeepEnds(edit.newText)) {
        emit("+", line);
        added++;
      }
      cursor = edit.endLine;
    }
    for (; cursor < end; cursor++) emit(" ", lines[cursor]!);
    const oldLength = end - start;
    const newLength = oldLength - removed + added;
    const oldStart = oldLength === 0 ? start : start + 1;
    const newStart = newLength === 0 ? start + delta : start + delta + 1;
    out.push(`@@ -${oldStart},${oldLength} +${newStart},${newLength} @@`, ...hunk);
    delta += added - removed;
  }
  return out.join("\n") + "\n";
}
