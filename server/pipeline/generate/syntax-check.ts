import type { Node } from "web-tree-sitter";
import type { LanguageId } from "../../../grammars/languages.js";
import type { ParsedFile } from "../../../grammars/parser.js";
import { withParse } from "../../../grammars/parser.js";
import type { Hunk } from "../../core/types.js";
import { lineContentEnd, lineStart, replaceHunk } from "./hunk-text.js";
import { type FileLines } from "../../core/line-text.js";
import { layoutProblems } from "./layout-problems.js";
import { syntaxFor } from "./template/language-syntax.js";

/**
 * Static pruning (as Repilot does with a completion engine): a candidate is rejected when the patched file has
 * more syntax errors than the buggy file. Reparsing a large file per candidate costs tens of milliseconds, so the
 * check reparses only the smallest self-contained unit around the hunk (a function, method or class, wrapped when
 * it cannot stand alone) and compares error counts of the unit before and after. Outside any unit the whole file
 * is reparsed.
 */
export interface SyntaxChecker {
  /** Whether the file patched with this replacement has no more syntax errors than the buggy file. */
  accepts(replacement: string): Promise<boolean>;
}

interface Window {
  readonly start: number;
  readonly end: number;
  readonly wrap: readonly [string, string];
}

function findWindow(parsed: ParsedFile, file: FileLines, hunk: Hunk): Window | undefined {
  const syntax = syntaxFor(parsed.language.id);
  const isInsertion = hunk.endLine <= hunk.startLine;
  const firstRow = hunk.startLine;
  const lastRow = Math.max(hunk.startLine, hunk.endLine - 1);
  const from = lineStart(file, firstRow);
  const to = Math.max(from, lineContentEnd(file, lastRow));
  // Python's indentation closes a unit; elsewhere a unit that ends on the hunk's last line could, once that line
  // changes, swallow the code after it (an `if` losing its body takes the next statement), so it must go on.
  const closedByIndent = parsed.language.id === "python";
  let unit: Window | undefined;
  for (let node: Node | null = parsed.tree.rootNode.descendantForIndex(from, to); node; node = node.parent) {
    if (!syntax.parseUnits.has(node.type)) continue;
    const startsBefore = node.startPosition.row < firstRow;
    const endsAfter =
      node.endPosition.row > lastRow || (node.endPosition.row === lastRow && (closedByIndent || isInsertion));
    if (startsBefore && endsAfter) {
      const wrap = syntax.parseUnits.get(node.type) ?? ["", ""];
      unit = { start: node.startIndex, end: lineContentEnd(file, node.endPosition.row), wrap };
      break;
    }
  }
  const siblings = syntax.standaloneStatements ? siblingWindow(parsed, file, firstRow, lastRow, from, to) : undefined;
  if (siblings && (!unit || siblings.end - siblings.start < unit.end - unit.start)) return siblings;
  return unit;
}

/**
 * For languages whose statements parse on their own: the hunk's statements plus one whole statement before and
 * after it in the same block. Code at the top level of a huge function (a UMD bundle's factory, a long test
 * suite) has no small enclosing unit, but it has neighbours that bound it.
 */
function siblingWindow(
  parsed: ParsedFile,
  file: FileLines,
  firstRow: number,
  lastRow: number,
  from: number,
  to: number,
): Window | undefined {
  const syntax = syntaxFor(parsed.language.id);
  for (let node: Node | null = parsed.tree.rootNode.descendantForIndex(from, to); node; node = node.parent) {
    if (!syntax.blockTypes.has(node.type)) continue;
    const kids = node.namedChildren.filter((k): k is Node => k !== null);
    const first = kids.findIndex((k) => k.endPosition.row >= firstRow);
    let last = -1;
    kids.forEach((k, i) => {
      if (k.startPosition.row <= lastRow) last = i;
    });
    if (first < 0 || last < first) return undefined;
    const before = kids[first - 1];
    const after = kids[last + 1];
    // Both neighbours must exist and sit on lines of their own, so the window starts and ends on whole lines.
    if (!before || !after || before.endPosition.row >= firstRow || after.startPosition.row <= lastRow) return undefined;
    const start = lineStart(file, before.startPosition.row);
    if (file.text.slice(start, before.startIndex).trim() !== "") return undefined;
    return { start, end: lineContentEnd(file, after.endPosition.row), wrap: ["", ""] };
  }
  return undefined;
}

/** Syntax errors plus the layout errors tree-sitter misses (see layoutProblems). */
export function problemCount(text: string, language: LanguageId): Promise<number> {
  return withParse(text, language, (parsed) => parsed.errors.length + layoutProblems(parsed.tree.rootNode, language));
}

export function createSyntaxChecker(parsed: ParsedFile, file: FileLines, hunk: Hunk): SyntaxChecker {
  const language = parsed.language.id;
  const window = findWindow(parsed, file, hunk);
  const verdicts = new Map<string, Promise<boolean>>();
  let baseline: Promise<number>;
  let patchedText: (replacement: string) => string;
  if (window) {
    const [open, close] = window.wrap;
    const head = file.text.slice(window.start, lineStart(file, hunk.startLine));
    const tailFrom = lineStart(file, Math.max(hunk.startLine, hunk.endLine));
    const tail = tailFrom < window.end ? file.text.slice(tailFrom, window.end) : "";
    baseline = problemCount(open + file.text.slice(window.start, window.end) + close, language);
    patchedText = (replacement) =>
      open + head + (replacement === "" ? "" : replacement + (tail === "" ? "" : "\n")) + tail + close;
  } else {
    baseline = Promise.resolve(parsed.errors.length + layoutProblems(parsed.tree.rootNode, language));
    patchedText = (replacement) => replaceHunk(file, hunk, replacement);
  }
  return {
    accepts(replacement: string): Promise<boolean> {
      let verdict = verdicts.get(replacement);
      if (!verdict) {
        verdict = Promise.all([baseline, problemCount(patchedText(replacement), language)]).then(
          ([before, after]) => after <= before,
        );
        verdicts.set(replacement, verdict);
      }
      return verdict;
    },
  };
}
