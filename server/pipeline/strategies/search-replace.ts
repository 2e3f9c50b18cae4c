import { editsClash, type LinesEdit } from "./line-edits.js";
import { normaliseLineEnds } from "../../core/line-text.js";

/** One SEARCH/REPLACE block as the model wrote it. */
export interface SearchReplaceBlock {
  /** The path the model named above the block (as written; the caller resolves it). */
  readonly path: string;
  readonly search: readonly string[];
  readonly replace: readonly string[];
}

export interface RejectedBlock {
  readonly path: string;
  readonly reason: string;
}

export interface ParsedEdits {
  readonly edits: LinesEdit[];
  readonly rejected: RejectedBlock[];
}

const SEARCH = /^\s*<{5,9} ?SEARCH\s*$/;
const DIVIDER = /^\s*={5,9}\s*$/;
const REPLACE = /^\s*>{5,9} ?REPLACE\s*$/;
const FENCE = /^\s*(```|~~~)/;

/** A path line above a block: the text itself, without list markers, quotes, backticks or a trailing colon. */
function pathOf(line: string): string {
  return line
    .trim()
    .replace(/^[-*#>\s]+/, "")
    .replace(/[`'":]+$/g, "")
    .replace(/^[`'"]+/, "")
    .trim();
}

/**
 * SEARCH/REPLACE blocks in a model's answer (the Agentless edit format): a path line, `<<<<<<< SEARCH`, the lines
 * to find, `=======`, their replacement, `>>>>>>> REPLACE`. Code fences around blocks are ignored. A block that is
 * not closed is dropped. Never throws.
 */
export function parseSearchReplace(answer: string): SearchReplaceBlock[] {
  const lines = normaliseLineEnds(answer).split("\n");
  const blocks: SearchReplaceBlock[] = [];
  let lastPath = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!SEARCH.test(line)) {
      if (line.trim() !== "" && !FENCE.test(line) && !DIVIDER.test(line) && !REPLACE.test(line))
        lastPath = pathOf(line);
      continue;
    }
    const search: string[] = [];
    const replace: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !DIVIDER.test(lines[j]!); j++) search.push(lines[j]!);
    let k = j + 1;
    for (; k < lines.length && !REPLACE.test(lines[k]!); k++) replace.push(lines[k]!);
    if (j >= lines.length || k >= lines.length) break;
    blocks.push({ path: lastPath, search, replace });
    i = k;
  }
  return blocks;
}

/** Where `needle` occurs in `haystack` as whole consecutive lines (trailing whitespace ignored). */
function occurrences(haystack: readonly string[], needle: readonly string[]): number[] {
  const trim = (s: string): string => s.trimEnd();
  const found: number[] = [];
  for (let at = 0; at + needle.length <= haystack.length; at++) {
    let same = true;
    for (let k = 0; k < needle.length && same; k++) same = trim(haystack[at + k]!) === trim(needle[k]!);
    if (same) found.push(at);
  }
  return found;
}

/**
 * Turns blocks into line edits, strictly: the path must name one of the files offered (by its relative path), the
 * SEARCH text must be non-empty and occur exactly once in that file, and no two blocks may touch the same lines.
 * A block that breaks a rule is rejected with the reason, and the others still apply.
 */
export function resolveBlocks(
  blocks: readonly SearchReplaceBlock[],
  files: ReadonlyMap<string, { readonly file: string; readonly lines: readonly string[] }>,
): ParsedEdits {
  const edits: LinesEdit[] = [];
  const rejected: RejectedBlock[] = [];
  for (const block of blocks) {
    const target =
      files.get(block.path) ?? (files.size === 1 && block.path === "" ? [...files.values()][0] : undefined);
    if (!target) {
      rejected.push({ path: block.path, reason: `"${block.path}" is not one of the files shown` });
      continue;
    }
    const search = trimBlankEdges(block.search);
    if (search.length === 0) {
      rejected.push({ path: block.path, reason: "the SEARCH text is empty" });
      continue;
    }
    const found = occurrences(target.lines, search);
    if (found.length !== 1) {
      rejected.push({
        path: block.path,
        reason:
          found.length === 0 ? "the SEARCH text is not in the file" : `the SEARCH text occurs ${found.length} times`,
      });
      continue;
    }
    const edit: LinesEdit = {
      file: target.file,
      startLine: found[0]!,
      endLine: found[0]! + search.length,
      lines: trimBlankEdges(block.replace),
    };
    if (edits.some((other) => editsClash(other, edit))) {
      rejected.push({ path: block.path, reason: "the block overlaps another block" });
      continue;
    }
    edits.push(edit);
  }
  return { edits, rejected };
}

export function trimBlankEdges(lines: readonly string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}
