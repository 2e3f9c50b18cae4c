import { basename, extname } from "node:path";
import { codeOnly, type FileFacts } from "./file-facts.js";

/**
 * Fallback localisation, for failures that leave no signal at all (no coverage, no test body reaching the code, no
 * stack frame): programs tested through input/output files or command-line runs. Every executable line of the
 * non-test sources the tests run becomes a candidate, ranked by how much of the mass of real one-statement fixes
 * could apply to it: the fix patterns of ManySStuBs4J whose shape the line has (a call, a condition, a numeral, a
 * binary or unary operator, a boolean literal). The ranking is a prior, not evidence, so callers say in the report
 * that localisation was a fallback.
 */

/**
 * ManySStuBs4J single-statement Java bugs, the subset in h4iku/repairSStuBs (README table, 6,706 bugs in all):
 * number of bugs per fix pattern, grouped by the shape of line each pattern needs (REFERENCE.md §7).
 */
const SSTUBS_TOTAL = 6706;
const SSTUBS = {
  /** CHANGE_IDENTIFIER 2429 + CHANGE_OPERAND 93: any line that names a variable. */
  identifier: 2429 + 93,
  /**
   * DIFFERENT_METHOD_SAME_ARGS 1422 + OVERLOAD_METHOD_MORE_ARGS 662 + CHANGE_CALLER_IN_FUNCTION_CALL 177 +
   * OVERLOAD_METHOD_DELETED_ARGS 162 + SWAP_ARGUMENTS 120: lines with a call.
   */
  call: 1422 + 662 + 177 + 162 + 120,
  /** CHANGE_NUMERAL 754: lines with a number. */
  numeral: 754,
  /** CHANGE_OPERATOR 250: lines with a binary operator. */
  binaryOperator: 250,
  /** LESS_SPECIFIC_IF 187 + MORE_SPECIFIC_IF 154: condition lines (if, while, ternaries). */
  condition: 187 + 154,
  /** CHANGE_UNARY_OPERATOR 161: lines with `!`, `not` or a unary minus. */
  unaryOperator: 161,
  /** SWAP_BOOLEAN_LITERAL 112: lines with true/false. */
  booleanLiteral: 112,
} as const;

/** Above this many executable non-test lines, only the sources the tests name are candidates. */
export const SMALL_WORKSPACE_LINES = 2000;
/** The most fallback lines returned: hunks are built from the first few anyway. */
export const MAX_FALLBACK_LINES = 200;
/**
 * Fallback scores stay below any real spectrum evidence: a prior of 1 would be worth a tenth of an Ochiai score
 * of 1, so that a later signal (a frame, a covered line) always outranks them.
 */
const FALLBACK_SCALE = 0.1;

/** Words that take parentheses without being calls. */
const NOT_CALLEES = new Set([
  "if",
  "elif",
  "while",
  "for",
  "switch",
  "return",
  "catch",
  "sizeof",
  "match",
  "and",
  "or",
  "not",
  "in",
]);

function hasCall(code: string): boolean {
  for (const match of code.matchAll(/([A-Za-z_][\w.]*)\s*\(/g)) if (!NOT_CALLEES.has(match[1]!)) return true;
  return false;
}

/** The share of ManySStuBs4J's one-statement fixes whose pattern could apply to a line of code, in [0, 1]. */
export function fixPatternPrior(code: string): number {
  let mass = 0;
  if (/[A-Za-z_]\w*/.test(code)) mass += SSTUBS.identifier;
  if (hasCall(code)) mass += SSTUBS.call;
  if (/(^|[^\w.])\d/.test(code)) mass += SSTUBS.numeral;
  if (/\s(==|!=|===|!==|<=|>=|<|>|&&|\|\||\+|-|\*|\/|%|and|or)\s/.test(code)) mass += SSTUBS.binaryOperator;
  if (/^\s*}?\s*(if|elif|else\s+if|while|until)\b|\s\?\s.*\s:\s/.test(code)) mass += SSTUBS.condition;
  if (/(^|[\s(=,])(!(?!=)|not\s|-[A-Za-z_(])/.test(code)) mass += SSTUBS.unaryOperator;
  if (/\b(true|false|True|False)\b/.test(code)) mass += SSTUBS.booleanLiteral;
  return mass / SSTUBS_TOTAL;
}

export interface FallbackLine {
  readonly file: string;
  /** 0-based. */
  readonly line: number;
  /** The scaled prior, usable as a spectrum score below real evidence. */
  readonly score: number;
}

export interface FallbackInput {
  /** Facts of the workspace's parsed files, test files included. */
  readonly facts: ReadonlyMap<string, FileFacts>;
  readonly isTestFile: (file: string) => boolean;
  readonly isTestLine: (file: string, line: number) => boolean;
}

/** A file's name without folders and extension, which tests mention when they import or include it. */
function stem(file: string): string {
  return basename(file, extname(file));
}

/**
 * The non-test files the tests plausibly run: all of them in a small workspace, else those whose name the test
 * files mention (imports, includes, paths), or all of them when none is mentioned.
 */
export function filesTestsRun(input: FallbackInput): string[] {
  const sources = [...input.facts.keys()].filter((f) => !input.isTestFile(f)).sort();
  const executable = sources.reduce((n, f) => n + (input.facts.get(f)?.lineWeights.size ?? 0), 0);
  if (executable <= SMALL_WORKSPACE_LINES) return sources;
  const testText = [...input.facts.values()]
    .filter((f) => input.isTestFile(f.file))
    .map((f) => f.text)
    .join("\n");
  const mentioned = sources.filter((f) => new RegExp(`\\b${stem(f).replace(/[^\w]/g, "\\$&")}\\b`).test(testText));
  return mentioned.length > 0 ? mentioned : sources;
}

/** Executable lines of the files the tests run, best prior first (then by file and line, for determinism). */
export function fallbackLines(input: FallbackInput): FallbackLine[] {
  const out: FallbackLine[] = [];
  for (const file of filesTestsRun(input)) {
    const facts = input.facts.get(file);
    if (!facts) continue;
    const lines = facts.text.split("\n");
    for (const line of facts.lineWeights.keys()) {
      if (input.isTestLine(file, line)) continue;
      out.push({ file, line, score: FALLBACK_SCALE * fixPatternPrior(codeOnly(lines[line] ?? "", facts.language)) });
    }
  }
  out.sort((a, b) => b.score - a.score || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line);
  return out.slice(0, MAX_FALLBACK_LINES);
}
