import { normaliseWhitespace } from "../../hunk-text.js";
import { leadingWhitespace, opensBlock } from "../../indentation.js";
import { identifiersOf, jaccard, subTokens } from "../donors.js";
import { code, type TemplateLines } from "../edits.js";
import type { LineInput } from "../line-input.js";
import { textOf } from "../lite-tree.js";

/** Statements copied per hunk, and renamed variants per copied statement: bounded whatever the function's size. */
const MAX_COPIES = 6;
const MAX_RENAMES = 2;
const MAX_COPY_CHARS = 80;
/** Statements that are no action to repeat: docstrings and other bare strings, and jumps (Rust wraps them too). */
const NOT_COPYABLE = /^(["'`]|(return|break|continue|throw|raise|goto|yield)\b)/;

/** Replaces whole-word uses of `from` by `to`, leaving member names (`.from`) and strings alone. */
function renameWord(text: string, from: string, to: string): string {
  const pattern = new RegExp(`(?<![.\\w$"'])${from.replace(/\$/g, "\\$")}(?![\\w$"'])`, "g");
  return text.replace(pattern, to);
}

/**
 * A statement missing from the hunk's lines, copied from elsewhere in the same function (a `count += 1`, a
 * `cache[key] = value`, an `out.write(chunk)` the developer wrote on one path and forgot on another), inserted
 * above or below the hunk, as it stands and with one of its variables renamed to a variable the hunk's lines use.
 * Statements that share names with the hunk and sit close to it come first. (Donor lines from outside the
 * function, found by the index, are donors.ts's job.)
 */
export function copyEdits(input: LineInput): TemplateLines[] {
  const { source, file, hunk, unit, indent, scope, regionStatements } = input;
  const isInsertion = hunk.endLine <= hunk.startLine;
  const hunkLines = file.lines.slice(hunk.startLine, Math.max(hunk.startLine, hunk.endLine));
  const context = isInsertion ? file.lines.slice(Math.max(0, hunk.startLine - 1), hunk.startLine + 1) : hunkLines;
  const contextNames = identifiersOf(context.join("\n"));
  const contextTokens = contextNames.flatMap(subTokens);
  const hunkVariables = [...new Set(contextNames.filter((n) => scope.variables.has(n)))];
  const existing = new Set(hunkLines.map(normaliseWhitespace));

  const ranked = new Map<string, number>();
  for (const statement of regionStatements) {
    const inHunk = statement.endRow >= hunk.startLine && statement.startRow < Math.max(hunk.endLine, hunk.startLine);
    if (inHunk || statement.startRow !== statement.endRow) continue;
    const text = textOf(source, statement).trim();
    if (text.length === 0 || text.length > MAX_COPY_CHARS || NOT_COPYABLE.test(text)) continue;
    if (existing.has(normaliseWhitespace(text))) continue;
    const similarity = jaccard(identifiersOf(text).flatMap(subTokens), contextTokens);
    const nearness = 1 / (1 + Math.abs(statement.startRow - hunk.startLine) / 10);
    const weight = 0.5 * similarity + 0.5 * nearness;
    ranked.set(text, Math.max(weight, ranked.get(text) ?? 0));
  }
  const copies = [...ranked].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, MAX_COPIES);

  const out: TemplateLines[] = [];
  // Below the hunk is the hunk's own level, one level deeper when its last line opens a block.
  const lastLine = hunkLines.at(-1) ?? "";
  const afterIndent = isInsertion ? indent : leadingWhitespace(lastLine) + (opensBlock(lastLine) ? unit : "");
  const place = (text: string, weight: number, note: string): void => {
    if (existing.has(normaliseWhitespace(text))) return;
    if (isInsertion) {
      out.push({ text: indent + text, kind: "copy", description: `insert ${code(text)}${note}`, weight });
      return;
    }
    out.push({
      text: [indent + text, ...hunkLines].join("\n"),
      kind: "copy",
      description: `insert ${code(text)} above${note}`,
      weight: weight * 0.9,
    });
    out.push({
      text: [...hunkLines, afterIndent + text].join("\n"),
      kind: "copy",
      description: `insert ${code(text)} below${note}`,
      weight,
    });
  };
  for (const [text, weight] of copies) {
    place(text, weight, " (copied from the same function)");
    // Renamed variants: one of the copy's variables swapped for a variable of the hunk it does not use yet.
    const own = [...new Set(identifiersOf(text).filter((n) => scope.variables.has(n)))];
    const renames: Array<{ from: string; to: string; score: number }> = [];
    for (const from of own) {
      for (const to of hunkVariables) {
        if (own.includes(to)) continue;
        renames.push({ from, to, score: jaccard(subTokens(from), subTokens(to)) });
      }
    }
    renames.sort((a, b) => b.score - a.score || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
    for (const { from, to } of renames.slice(0, MAX_RENAMES)) {
      const renamed = renameWord(text, from, to);
      if (renamed !== text) place(renamed, weight * 0.7, ` (copied, ${from} -> ${to})`);
    }
  }
  return out;
}
