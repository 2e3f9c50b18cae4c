import type { Node } from "web-tree-sitter";
import { languageForPath, type LanguageId } from "../../../grammars/languages.js";
import { parse, queryFor, type ParsedFile } from "../../../grammars/parser.js";
import { captures, identifiersIn } from "../../../grammars/syntax.js";
import { BoundedCache, textBytes } from "../../../index/bounded-cache.js";

/** A function or method of a file (0-based, half-open lines). */
export interface FunctionFact {
  readonly name: string | undefined;
  readonly startLine: number;
  readonly endLine: number;
  /** Identifiers used in the body, for the static call graph. */
  readonly identifiers: readonly string[];
}

/** What localisation needs to know about one source file, computed from one parse. */
export interface FileFacts {
  readonly file: string;
  readonly language: LanguageId;
  readonly text: string;
  readonly lineCount: number;
  readonly functions: readonly FunctionFact[];
  /**
   * Lines where an edit makes sense (a statement starts there, or the line is part of a simple statement), with
   * the weight of their statement kind: conditions 6, returns 5, arithmetic and indexing 4, calls 3,
   * assignments 2, anything else 1.
   */
  readonly lineWeights: ReadonlyMap<number, number>;
  /** For each line that starts a simple (non-compound) statement spanning several lines, the statement's end. */
  readonly statementEnds: ReadonlyMap<number, number>;
  /**
   * Lines of string literals naming tests (`test("adds", ...)`, `tap_check(ok, "adds")`): literal text -> the
   * lines of the enclosing call, extended upwards to the end of the previous such call in the same function (the
   * statements that prepare a check belong to it).
   */
  readonly stringCalls: ReadonlyMap<string, { startLine: number; endLine: number }>;
  /** Identifiers used on each line. */
  readonly lineIdentifiers: ReadonlyMap<number, readonly string[]>;
  readonly syntaxErrorLines: readonly number[];
}

const CALL_TYPES = new Set(["call_expression", "call", "method_invocation", "macro_invocation"]);

/** The statement-kind weight of a line's code (comments and string contents already removed). */
export function kindWeight(code: string): number {
  // Operators are recognised with the spaces formatters put around them, which keeps generics (Vec<i64>),
  // arrows (=>, ->) and closures (|x|) out of the comparisons.
  if (/^\s*}?\s*(if|elif|else\s+if|while|for|until|case|switch|match)\b/.test(code)) return 6;
  if (/\s(==|!=|===|!==|<=|>=|<|>|&&|\|\||and|or|not|is)\s|\s\?\s.*\s:\s/.test(code)) return 6;
  if (/\breturn\b/.test(code)) return 5;
  // Arithmetic, indexing, and small integer literals (bounds and initial values, the off-by-one sites).
  if (/\s[+\-*/%]\s|\w\[|\+\+|--|[+\-*/%]=|[=(,\s]-?[01]\b(?!\.)/.test(code)) return 4;
  if (/\w\s*\(/.test(code)) return 3;
  if (/[^=!<>]=[^=]/.test(code)) return 2;
  return 1;
}

/** The line with comments and string literal contents blanked, so that operators inside them do not count. */
export function codeOnly(line: string, language: LanguageId): string {
  let code = line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
  code = language === "python" ? code.replace(/#.*$/, "") : code.replace(/\/\/.*$/, "").replace(/\/\*.*?\*\//g, "");
  return code;
}

function isPunctuationOnly(code: string): boolean {
  return /^[\s{}()[\];,:]*$/.test(code) || /^\s*(}\s*)?else\s*(\{|:)?\s*$/.test(code);
}

async function functionsOf(parsed: ParsedFile): Promise<FunctionFact[]> {
  const query = await queryFor(parsed.language.id);
  const byNode = new Map<number, { node: Node; name: string | undefined }>();
  for (const match of query.matches(parsed.tree.rootNode)) {
    const fn = match.captures.find((c) => c.name === "function")?.node;
    if (!fn) continue;
    const name = match.captures.find((c) => c.name === "function.name")?.node.text;
    const previous = byNode.get(fn.id);
    if (!previous || (!previous.name && name)) byNode.set(fn.id, { node: fn, name });
  }
  const out: FunctionFact[] = [];
  for (const { node, name } of byNode.values()) {
    const range = { startLine: node.startPosition.row, endLine: node.endPosition.row + 1 };
    out.push({ name, ...range, identifiers: await identifiersIn(parsed, range) });
  }
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

function enclosingCall(node: Node): Node | undefined {
  for (let n: Node | null = node.parent; n; n = n.parent) if (CALL_TYPES.has(n.type)) return n;
  return undefined;
}

/** Estimated bytes per source line of the facts' maps (weights, statement ends, identifiers). */
const FACT_BYTES_PER_LINE = 96;

/** Facts of recently seen texts: a localisation pass asks about the same files for every failing test. */
const cache = new BoundedCache<string, FileFacts>({
  maxEntries: 2_000,
  maxBytes: 128 * 1024 * 1024,
  sizeOf: (facts) => textBytes(facts.text) + facts.lineCount * FACT_BYTES_PER_LINE,
});

/** Facts of a file's text, cached by file and text. */
export async function factsOf(file: string, text: string): Promise<FileFacts | undefined> {
  const key = `${file}\u0000${text.length}`;
  const cached = cache.get(key);
  if (cached && cached.text === text) return cached;
  const language = languageForPath(file)?.id;
  if (!language) return undefined;
  const parsed = await parse(text, language);
  try {
    const lines = text.split("\n");
    const statements = await captures(parsed, "statement");
    const lineWeights = new Map<number, number>();
    const statementEnds = new Map<number, number>();
    for (let i = 0; i < statements.length; i++) {
      const node = statements[i]!;
      const start = node.startPosition.row;
      const end = node.endPosition.row + 1;
      const next = statements[i + 1];
      const compound = next !== undefined && next.startIndex < node.endIndex;
      // Every line of a statement is a place to edit (clause headers such as `elif` and `else if` included);
      // the weight comes from the line's own code, so a block's body lines keep their own kind.
      const covered = Array.from({ length: end - start }, (_, k) => start + k);
      if (!compound && end - start > 1 && !statementEnds.has(start)) statementEnds.set(start, end);
      for (const line of covered) {
        const code = codeOnly(lines[line] ?? "", language);
        if (isPunctuationOnly(code)) continue;
        lineWeights.set(line, Math.max(lineWeights.get(line) ?? 0, kindWeight(code)));
      }
    }
    // Statements inside an ERROR node are not captured, yet a local syntax error must not hide the code around it
    // from localisation: each code line the error spans gets the weight its own text implies.
    for (const error of parsed.errors) {
      for (let line = error.startLine; line <= error.endLine && line < lines.length; line++) {
        if (lineWeights.has(line)) continue;
        const code = codeOnly(lines[line] ?? "", language);
        if (code.trim() === "" || isPunctuationOnly(code)) continue;
        lineWeights.set(line, kindWeight(code));
      }
    }
    const functions = await functionsOf(parsed);
    const calls: { literal: string; startLine: number; endLine: number }[] = [];
    for (const str of await captures(parsed, "string")) {
      const literal = str.text.replace(/^[a-zA-Z]*["'`]+|["'`]+$/g, "");
      if (literal === "" || literal.length > 200) continue;
      const call = enclosingCall(str);
      if (call) calls.push({ literal, startLine: call.startPosition.row, endLine: call.endPosition.row + 1 });
    }
    calls.sort((a, b) => a.startLine - b.startLine);
    const stringCalls = new Map<string, { startLine: number; endLine: number }>();
    let previous: { endLine: number; fn: FunctionFact | undefined } | undefined;
    for (const call of calls) {
      const fn = innermost(functions, call.startLine);
      let startLine = call.startLine;
      if (previous && previous.fn === fn && previous.endLine <= call.startLine) startLine = previous.endLine;
      else if (fn) startLine = Math.min(call.startLine, Math.max(fn.startLine + 1, call.startLine - 3));
      if (!stringCalls.has(call.literal)) stringCalls.set(call.literal, { startLine, endLine: call.endLine });
      if (!previous || call.endLine > previous.endLine || previous.fn !== fn) previous = { endLine: call.endLine, fn };
    }
    const lineIdentifiers = new Map<number, string[]>();
    for (const id of await captures(parsed, "identifier")) {
      const row = id.startPosition.row;
      const list = lineIdentifiers.get(row) ?? [];
      if (!list.includes(id.text)) list.push(id.text);
      lineIdentifiers.set(row, list);
    }
    const facts: FileFacts = {
      file,
      language,
      text,
      lineCount: lines.length,
      functions,
      lineWeights,
      statementEnds,
      stringCalls,
      lineIdentifiers,
      syntaxErrorLines: parsed.errors.map((e) => e.startLine),
    };
    cache.set(key, facts);
    return facts;
  } finally {
    parsed.dispose();
  }
}

/** The innermost function of a file containing a line. */
export function functionAt(facts: FileFacts, line: number): FunctionFact | undefined {
  return innermost(facts.functions, line);
}

function innermost(functions: readonly FunctionFact[], line: number): FunctionFact | undefined {
  let best: FunctionFact | undefined;
  for (const fn of functions) {
    if (
      fn.startLine <= line &&
      line < fn.endLine &&
      (!best || fn.endLine - fn.startLine < best.endLine - best.startLine)
    ) {
      best = fn;
    }
  }
  return best;
}
