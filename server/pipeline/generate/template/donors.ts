import { basename } from "node:path";
import type { RetrievedLine } from "../../../core/types.js";
import { normaliseWhitespace } from "../hunk-text.js";
import { insertionIndent, leadingWhitespace, opensBlock } from "../indentation.js";
import { code, type TemplateLines } from "./edits.js";
import type { LineInput } from "./line-input.js";

const MAX_DONORS = 12;

/** Strings first so that their contents are skipped; then identifiers. */
const TOKEN = /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|([A-Za-z_$][A-Za-z0-9_$]*)/g;

/** Sub-tokens of a name (camelCase, snake_case, digits), lower-cased: `maxValue` -> [max, value]. */
export function subTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+|(?<=\D)(?=\d)/)
    .filter((t) => t.length > 0)
    .map((t) => t.toLowerCase());
}

export function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const setA = new Set(a);
  const setB = new Set(b);
  let shared = 0;
  for (const t of setA) if (setB.has(t)) shared++;
  return shared / (setA.size + setB.size - shared);
}

export function identifiersOf(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(TOKEN)) if (match[2]) out.push(match[2]);
  return out;
}

function bracketBalance(text: string): number {
  let balance = 0;
  const code = text.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, '""');
  for (const ch of code) {
    if (ch === "(" || ch === "[" || ch === "{") balance++;
    else if (ch === ")" || ch === "]" || ch === "}") balance--;
  }
  return balance;
}

/** Names a file defines or mentions, as the donor renaming needs them. */
export interface KnownNames {
  /** Names on top-level lines (imports, functions, globals): usable from anywhere in the file. */
  readonly topLevel: ReadonlySet<string>;
  /** Words of import lines, strings included (Go imports name their packages in strings). */
  readonly imported: ReadonlySet<string>;
}

const DECLARED_NAME =
  /\b(?:def|function|fn|func|class|struct|enum|interface|type|trait|const|let|var|static|typedef)\s+\*?([A-Za-z_$][A-Za-z0-9_$]*)/;
const IMPORT_LINE = /^\s*(import|from|use|using|#include|package|require)\b|\brequire\(/;

export function knownNames(lines: readonly string[]): KnownNames {
  const topLevel = new Set<string>();
  const imported = new Set<string>();
  let inImportBlock = false;
  for (const line of lines) {
    if (inImportBlock || IMPORT_LINE.test(line)) {
      for (const word of line.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? []) imported.add(word);
      if (/^\s*import\s*\($/.test(line)) inImportBlock = true;
      else if (inImportBlock && /^\s*\)/.test(line)) inImportBlock = false;
    }
    if (line.length === 0 || line[0] === " " || line[0] === "\t") continue;
    // Only what a top-level line defines: a declared name, an assigned name, a called or declared function;
    // a function's parameters are local to it.
    const declared = DECLARED_NAME.exec(line)?.[1];
    if (declared) topLevel.add(declared);
    const assigned = /^([A-Za-z_$][A-Za-z0-9_$]*)\s*(=[^=]|:=)/.exec(line)?.[1];
    if (assigned) topLevel.add(assigned);
    for (const match of line.matchAll(/([A-Za-z_$][A-Za-z0-9_$]*)\s*\(/g)) topLevel.add(match[1]!);
  }
  return { topLevel, imported };
}

function useCount(stats: unknown): number {
  const count = (stats as { count?: unknown } | undefined)?.count;
  return typeof count === "number" ? count : 1;
}

interface Renamed {
  readonly text: string;
  readonly renames: ReadonlyArray<readonly [string, string]>;
  /** Names the donor uses that are neither in scope nor could be renamed. */
  readonly foreign: number;
}

/**
 * Adapts a donor line to the hunk's scope (SimFix/GAMMA-style): every variable the donor uses that is unknown
 * here is renamed to the in-scope variable with the most similar name, ties going to the variables the buggy
 * lines use, in the order they use them. Member names, callees and keywords are kept.
 */
export function renameToScope(
  donor: string,
  inScope: ReadonlyMap<string, unknown>,
  known: ReadonlySet<string>,
  imported: ReadonlySet<string>,
  keywords: ReadonlySet<string>,
  buggyNames: readonly string[],
): Renamed {
  const mapping = new Map<string, string>();
  // Names the donor already uses are taken: `total = sum(items)` must not become `total = sum(total)`.
  const used = new Set<string>(identifiersOf(donor).filter((n) => inScope.has(n)));
  const candidates = [...inScope.keys()].filter((n) => !keywords.has(n));
  const positional = buggyNames.filter((n) => inScope.has(n));
  // Without a similar name, prefer the variables the hunk's own lines use, then the most used ones.
  const nearness = (candidate: string): number =>
    (positional.includes(candidate) ? 0.5 : 0) + Math.min(0.4, 0.02 * useCount(inScope.get(candidate)));
  let foreign = 0;
  const out = donor.replace(
    TOKEN,
    (whole: string, str: string | undefined, name: string | undefined, offset: number) => {
      if (str !== undefined || name === undefined) return whole;
      const before = donor.slice(Math.max(0, offset - 2), offset);
      const after = donor.slice(offset + name.length).trimStart();
      const isReceiver = /^(\.|->|::)/.test(after);
      if (/(\.|->|::)$/.test(before) || after.startsWith("(") || keywords.has(name)) return whole;
      if (inScope.has(name) || known.has(name) || /^[A-Z]/.test(name)) return whole;
      // A receiver the file imports (a module, a package named in an import string) is not a variable.
      if (isReceiver && imported.has(name)) return whole;
      const mapped = mapping.get(name);
      if (mapped) return mapped;
      let best: string | undefined;
      let bestScore = 0;
      for (const candidate of candidates) {
        const score =
          2 * jaccard(subTokens(name), subTokens(candidate)) + nearness(candidate) - (used.has(candidate) ? 1 : 0);
        if (score > bestScore) {
          best = candidate;
          bestScore = score;
        }
      }
      if (!best) {
        foreign++;
        return whole;
      }
      mapping.set(name, best);
      used.add(best);
      return best;
    },
  );
  return { text: out, renames: [...mapping], foreign };
}

/** The hunk line a donor should replace: the one sharing most sub-tokens with it, openers only for openers. */
function substitutionTarget(lines: readonly string[], donor: string): number | undefined {
  const donorTokens = identifiersOf(donor).flatMap(subTokens);
  let best: number | undefined;
  let bestScore = -1;
  lines.forEach((line, i) => {
    if (line.trim() === "" || opensBlock(line) !== opensBlock(donor)) return;
    const score = jaccard(donorTokens, identifiersOf(line).flatMap(subTokens));
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}

function usable(donor: string, hunkLines: readonly string[]): boolean {
  const text = donor.trim();
  if (text === "" || /^(#|\/\/|\/\*|\*)/.test(text) || !/[A-Za-z_]/.test(text)) return false;
  if (/^[}\])]/.test(text) || /^(else|elif|except|finally|catch|case|default)\b/.test(text)) return false;
  const balance = bracketBalance(text);
  if (!(balance === 0 || (balance === 1 && text.endsWith("{")))) return false;
  const normalised = normaliseWhitespace(text);
  return !hunkLines.some((l) => normaliseWhitespace(l) === normalised);
}

/**
 * Donor code (similar lines from the same file and the workspace, found by the index): each donor substituted
 * for the most similar hunk line, or inserted before or after the hunk (at the insertion point for an empty
 * hunk), with its variables renamed to ones in scope.
 */
export function donorEdits(input: LineInput, donors: readonly RetrievedLine[], known: KnownNames): TemplateLines[] {
  const { syntax, file, hunk, unit, indent, scope } = input;
  const hunkLines = file.lines.slice(hunk.startLine, Math.max(hunk.startLine, hunk.endLine));
  // For an insertion, the lines around the point say which variables are in play.
  const context =
    hunkLines.length > 0 ? hunkLines : file.lines.slice(Math.max(0, hunk.startLine - 1), hunk.startLine + 1);
  const buggyNames = identifiersOf(context.join("\n"));
  const seen = new Set<string>();
  const out: TemplateLines[] = [];
  const ordered = [...donors].sort((a, b) => b.score - a.score);
  for (const donor of ordered) {
    if (seen.size >= MAX_DONORS) break;
    const raw = donor.text.trim();
    if (!usable(raw, hunkLines) || seen.has(raw)) continue;
    seen.add(raw);
    const similarity = Math.min(1, Math.max(0.05, donor.score));
    const where = `${basename(donor.file)}:${donor.line + 1}`;
    const renamed = renameToScope(raw, scope.variables, known.topLevel, known.imported, syntax.keywords, buggyNames);
    const variants: Array<{ text: string; weight: number; note: string }> = [];
    if (renamed.renames.length > 0) {
      const note = renamed.renames.map(([a, b]) => `${a} -> ${b}`).join(", ");
      variants.push({ text: renamed.text, weight: 0.95, note: ` (renamed ${note})` });
      variants.push({ text: raw, weight: 0.5, note: "" });
    } else {
      variants.push({ text: raw, weight: renamed.foreign > 0 ? 0.6 : 1, note: "" });
    }
    for (const variant of variants) {
      const weight = similarity * variant.weight;
      if (hunk.endLine <= hunk.startLine) {
        if (opensBlock(variant.text)) continue;
        out.push({
          text: indent + variant.text,
          kind: "donor",
          description: `insert ${code(variant.text)} from ${where}${variant.note}`,
          weight,
        });
        continue;
      }
      const target = substitutionTarget(hunkLines, variant.text);
      if (target !== undefined) {
        const replaced = hunkLines.map((l, i) => (i === target ? leadingWhitespace(l) + variant.text : l));
        out.push({
          text: replaced.join("\n"),
          kind: "donor",
          description: `replace with ${code(variant.text)} from ${where}${variant.note}`,
          weight,
        });
      }
      if (opensBlock(variant.text)) continue;
      const afterIndent = insertionIndent(file.lines, hunk.endLine, unit);
      out.push({
        text: [indent + variant.text, ...hunkLines].join("\n"),
        kind: "donor",
        description: `insert ${code(variant.text)} from ${where}${variant.note}`,
        weight: weight * 0.6,
      });
      out.push({
        text: [...hunkLines, afterIndent + variant.text].join("\n"),
        kind: "donor",
        description: `append ${code(variant.text)} from ${where}${variant.note}`,
        weight: weight * 0.55,
      });
    }
  }
  return out;
}
