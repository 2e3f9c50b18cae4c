import { languageById, type LanguageId } from "../grammars/languages.js";
import { parse } from "../grammars/parser.js";
import { blankSpans, lexicalCommentSpans, type TextSpan } from "./comments.js";
import { lineQueryFor } from "./line-query.js";
import { isSecretLine } from "../server/security/secrets.js";

/**
 * Normalised lines longer than this are not indexed: they come from minified or generated code, make poor context
 * for a repair, and would dominate embedding time.
 */
export const MAX_INDEXED_LINE_CHARS = 1000;

/** A function or method of a file, as grammars/syntax.ts enclosingFunction reports it. */
export interface FunctionRange {
  readonly name: string | undefined;
  /** 0-based first line. */
  readonly startLine: number;
  /** Exclusive end line. */
  readonly endLine: number;
  /** Length in characters, which decides the innermost of nested functions (as enclosingFunction does). */
  readonly size: number;
}

/** One meaningful source line (MultiMend's unit of retrieval). */
export interface ExtractedLine {
  /** 0-based line number. */
  readonly line: number;
  /** The line as written, without its line break. */
  readonly text: string;
  /** Comments stripped and whitespace collapsed: what is embedded and compared. */
  readonly norm: string;
  /** The innermost function containing the line, if any. */
  readonly fn: FunctionRange | undefined;
}

export interface ExtractedFile {
  readonly lines: ExtractedLine[];
  readonly functions: FunctionRange[];
  /** Every line of the text with comments blanked (not yet normalised), for building queries from any range. */
  readonly strippedLines: string[];
  /** Total lines of the text, meaningful or not. */
  readonly lineCount: number;
  /** False when the grammar or query was unavailable and comments were stripped lexically, with no functions. */
  readonly exact: boolean;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const WHITESPACE_RUN = /\s+/g;

/** MultiMend's line normalisation: whitespace runs collapsed to one space, ends trimmed. */
export function normaliseLine(line: string): string {
  return line.replace(WHITESPACE_RUN, " ").trim();
}

/** Whether a normalised line carries meaning: not blank and not only punctuation (`}`, `);`, `]))`). */
export function isMeaningful(norm: string): boolean {
  return norm.length > 0 && LETTER_OR_DIGIT.test(norm);
}

/**
 * For each line, the index into `functions` of the innermost function that contains it (-1 at top level).
 * Functions are painted largest first so that nested ones overwrite their parents: one pass per function instead of
 * one query per line.
 */
function innermostFunctionPerLine(functions: readonly FunctionRange[], lineCount: number): Int32Array {
  const owner = new Int32Array(lineCount).fill(-1);
  const order = functions.map((_, i) => i).sort((a, b) => (functions[b]?.size ?? 0) - (functions[a]?.size ?? 0));
  for (const i of order) {
    const fn = functions[i];
    if (!fn) continue;
    owner.fill(i, Math.max(0, fn.startLine), Math.min(lineCount, fn.endLine));
  }
  return owner;
}

interface SyntaxFacts {
  readonly comments: TextSpan[];
  readonly functions: FunctionRange[];
}

/** Comments and functions from one parse and one query pass, or undefined when the language has no usable query. */
async function syntaxFacts(
  text: string,
  id: LanguageId,
  onQueryFailure: (error: unknown) => void,
): Promise<SyntaxFacts | undefined> {
  const query = await lineQueryFor(id, onQueryFailure);
  if (!query) return undefined;
  const parsed = await parse(text, id);
  try {
    const comments: TextSpan[] = [];
    // Several patterns may match the same function node (named and bare); keep one entry, preferring a name.
    const byNode = new Map<string, FunctionRange>();
    for (const match of query.matches(parsed.tree.rootNode)) {
      let fnNode;
      let nameNode;
      for (const capture of match.captures) {
        if (capture.name === "comment") comments.push({ start: capture.node.startIndex, end: capture.node.endIndex });
        else if (capture.name === "function") fnNode = capture.node;
        else if (capture.name === "function.name") nameNode = capture.node;
      }
      if (!fnNode) continue;
      const key = `${fnNode.startIndex}:${fnNode.endIndex}`;
      const known = byNode.get(key);
      if (known && (known.name !== undefined || !nameNode)) continue;
      byNode.set(key, {
        name: nameNode?.text,
        startLine: fnNode.startPosition.row,
        endLine: fnNode.endPosition.row + 1,
        size: fnNode.endIndex - fnNode.startIndex,
      });
    }
    const functions = [...byNode.values()].sort((a, b) => a.startLine - b.startLine || b.size - a.size);
    return { comments, functions };
  } finally {
    parsed.dispose();
  }
}

/**
 * Extracts the meaningful lines of a source text as MultiMend does: comments stripped (tree-sitter @comment
 * captures, or the language's comment syntax as a fallback), whitespace collapsed, blank and punctuation-only lines
 * dropped, and later duplicates of a line within the file dropped. Each line carries its innermost enclosing
 * function. Lines that look like credentials (server/security/secrets.ts) are left out. Never throws on broken
 * code; `onQueryFailure` hears once per language why the exact route is missing.
 */
export async function extractLines(
  text: string,
  id: LanguageId,
  onQueryFailure: (error: unknown) => void = () => {},
): Promise<ExtractedFile> {
  let facts: SyntaxFacts | undefined;
  try {
    facts = await syntaxFacts(text, id, onQueryFailure);
  } catch (error) {
    onQueryFailure(error);
  }
  const comments = facts?.comments ?? lexicalCommentSpans(text, languageById(id).comments);
  const functions = facts?.functions ?? [];
  const rawLines = text.split("\n");
  const strippedLines = blankSpans(text, comments).split("\n");
  const owner = innermostFunctionPerLine(functions, rawLines.length);
  const seen = new Set<string>();
  const lines: ExtractedLine[] = [];
  for (let i = 0; i < strippedLines.length; i++) {
    // A line holding a credential is neither stored nor embedded (the embedder may be a remote host), nor used
    // in queries built from the stripped lines; its comments count, since the stored text keeps them.
    if (isSecretLine(rawLines[i] ?? "")) {
      strippedLines[i] = "";
      continue;
    }
    const norm = normaliseLine(strippedLines[i] ?? "");
    if (norm.length > MAX_INDEXED_LINE_CHARS || !isMeaningful(norm) || seen.has(norm)) continue;
    seen.add(norm);
    const raw = rawLines[i] ?? "";
    lines.push({
      line: i,
      text: raw.endsWith("\r") ? raw.slice(0, -1) : raw,
      norm,
      fn: functions[owner[i] ?? -1],
    });
  }
  // A trailing line break does not start a line of its own.
  const lineCount = text.endsWith("\n") ? rawLines.length - 1 : rawLines.length;
  return { lines, functions, strippedLines, lineCount, exact: facts !== undefined };
}

/** The innermost function containing a 0-based line, by the same rule as extractLines. */
export function innermostFunctionAt(functions: readonly FunctionRange[], line: number): FunctionRange | undefined {
  let best: FunctionRange | undefined;
  for (const fn of functions) {
    if (fn.startLine > line || fn.endLine <= line) continue;
    if (!best || fn.size < best.size) best = fn;
  }
  return best;
}
