import { dirname, relative, sep } from "node:path";
import type { Patch } from "../combine/patch.js";
import { normaliseLineEnds, splitFile } from "../../core/line-text.js";
import { detectIndentUnit, leadingWhitespace, reindent } from "../generate/indentation.js";
import type { HunkContext } from "../../core/types.js";
import { maskSecretLines } from "../../security/secrets.js";
import { diffLines, type LinesEdit } from "./line-edits.js";
import { trimBlankEdges } from "./search-replace.js";

/** Lines around a hunk shown when no function encloses it. */
const WINDOW_LINES = 10;

/**
 * The code a strategy shows and asks the model to rewrite: the function enclosing a suspicious hunk, or a window of
 * lines around it when no function encloses it.
 */
export interface Region {
  readonly file: string;
  /** The file's path as the prompt names it (relative to the folder shared by every region shown). */
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  /** The region's lines as they are now (secrets masked: these lines go to the model). */
  readonly lines: readonly string[];
  readonly context: HunkContext;
  /** The file's indentation unit, for re-indenting answers. */
  readonly unit: string;
}

/** The regions of the suspicious hunks, one per function (a hunk inside an already-listed region adds none). */
export function regionsOf(contexts: readonly HunkContext[]): Region[] {
  const root = commonFolder(contexts.map((c) => c.hunk.file));
  const regions: Region[] = [];
  for (const context of contexts) {
    const { hunk } = context;
    const file = splitFile(context.fileText);
    const end = Math.max(hunk.endLine, hunk.startLine + 1);
    const fn = context.enclosingFunction;
    const inFunction = fn !== undefined && fn.startLine <= hunk.startLine && fn.endLine >= end;
    const startLine = inFunction ? fn.startLine : Math.max(0, hunk.startLine - WINDOW_LINES);
    const endLine = inFunction ? fn.endLine : Math.min(file.lines.length, end + WINDOW_LINES);
    if (regions.some((r) => r.file === hunk.file && r.startLine <= hunk.startLine && r.endLine >= end)) continue;
    if (regions.some((r) => r.file === hunk.file && r.startLine < endLine && startLine < r.endLine)) continue;
    regions.push({
      file: hunk.file,
      path: relative(root, hunk.file).split(sep).join("/"),
      startLine,
      endLine,
      lines: maskSecretLines(file.lines.slice(startLine, endLine).join("\n")).split("\n"),
      context,
      unit: detectIndentUnit(file.lines),
    });
  }
  return regions;
}

function commonFolder(files: readonly string[]): string {
  if (files.length === 0) return "/";
  let folder = dirname(files[0]!);
  while (!files.every((f) => f.startsWith(folder.endsWith(sep) ? folder : folder + sep))) {
    const up = dirname(folder);
    if (up === folder) break;
    folder = up;
  }
  return folder;
}

/** Whether every part of a patch lies inside the region. */
export function patchWithin(region: Region, patch: Patch): boolean {
  return patch.every(
    (p) => p.hunk.file === region.file && p.hunk.startLine >= region.startLine && p.hunk.endLine <= region.endLine,
  );
}

/** The region's lines with a patch (inside it) applied, for showing a candidate to the model. */
export function patchedLines(region: Region, patch: Patch): string[] {
  const lines = [...region.lines];
  const parts = [...patch].sort((a, b) => b.hunk.startLine - a.hunk.startLine);
  for (const { hunk, candidate } of parts) {
    const replacement = candidate.text === "" ? [] : candidate.text.split("\n");
    lines.splice(hunk.startLine - region.startLine, hunk.endLine - hunk.startLine, ...replacement);
  }
  return lines;
}

/**
 * The line edits that turn the region into the model's rewritten version of it. The answer is re-indented so that
 * its first line sits where the region's first line does (models often drop a method's indentation). Undefined when
 * nothing changed or the region is too long to diff.
 */
export function regionEdits(region: Region, answer: readonly string[]): LinesEdit[] | undefined {
  const firstIndent = leadingWhitespace(region.lines.find((l) => l.trim() !== "") ?? "");
  const answerFirst = answer.find((l) => l.trim() !== "");
  if (answerFirst === undefined) return undefined;
  const shifted =
    leadingWhitespace(answerFirst) === firstIndent ? [...answer] : reindent(answer, firstIndent, region.unit);
  const edits = diffLines(region.file, region.lines, trimBlankEdges(shifted), region.startLine);
  return edits && edits.length > 0 ? edits : undefined;
}

/** The code of the first fenced block of an answer (the whole answer when it has no fence). */
export function fencedCode(answer: string): string[] | undefined {
  const lines = normaliseLineEnds(answer).split("\n");
  const open = lines.findIndex((l) => /^\s*(```|~~~)/.test(l));
  if (open < 0) return answer.trim() === "" ? undefined : lines;
  const fence = lines[open]!.trim().slice(0, 3);
  const close = lines.findIndex((l, i) => i > open && l.trim().startsWith(fence));
  return lines.slice(open + 1, close < 0 ? lines.length : close);
}
