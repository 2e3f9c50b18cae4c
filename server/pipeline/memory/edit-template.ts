import type { LanguageId } from "../../../grammars/languages.js";
import type { RepairExample } from "./git-history.js";

/** A token of one line of code and where it starts. */
interface Token {
  readonly text: string;
  readonly start: number;
}

const TOKEN =
  /"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`|\d[\w.]*|[A-Za-z_$][\w$]*|===|!==|<=|>=|==|!=|&&|\|\||\+\+|--|->|=>|<<|>>|\*\*|\/\/|[-+*/%<>=!&|^~?:;,.()[\]{}@#]/g;

/** Words kept as they are when an edit is abstracted: they carry the edit's meaning, unlike names. */
const KEYWORDS = new Set(
  (
    "if elif else while for in not and or is return break continue true false True False None null nil undefined " +
    "this self new len size length get def function var let const int long"
  ).split(" "),
);

function tokenize(line: string): Token[] {
  return [...line.matchAll(TOKEN)].map((m) => ({ text: m[0], start: m.index }));
}

/** A token's class when abstracted: names become ID, numbers NUM, strings STR; operators and keywords stay. */
function abstractOf(text: string): string {
  if (/^["'`]/.test(text)) return "STR";
  if (/^\d/.test(text)) return "NUM";
  if (/^[A-Za-z_$]/.test(text) && !KEYWORDS.has(text)) return "ID";
  return text;
}

/**
 * An edit abstracted over identifiers and literals: the changed tokens with one token of context on each side
 * (e.g. `ID <= ID` -> `<`), applied wherever a line has the same abstract shape; the new text is the example's,
 * with names and literals it shares with the old tokens taken from the line being repaired.
 */
export interface EditTemplate {
  readonly language: LanguageId;
  readonly left: string;
  readonly old: readonly string[];
  readonly right: string;
  /** The replacement's pieces: text as written, or the index of an old token whose concrete text is reused. */
  readonly replacement: ReadonlyArray<string | number>;
  /** Human description: "`<=` -> `<` (history abc1234: Fix ...)". */
  readonly description: string;
}

const START = "^";
const END = "$";

/** The template of a one-line example; undefined for multi-line examples and edits with no shape to match. */
export function templateOf(example: RepairExample): EditTemplate | undefined {
  if (example.buggy.length !== 1 || example.fixed.length !== 1) return undefined;
  const oldLine = example.buggy[0]!;
  const newLine = example.fixed[0]!;
  const before = tokenize(oldLine);
  const after = tokenize(newLine);
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix]!.text === after[prefix]!.text) prefix++;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix]!.text === after[after.length - 1 - suffix]!.text
  )
    suffix++;
  const oldTokens = before.slice(prefix, before.length - suffix);
  const newTokens = after.slice(prefix, after.length - suffix);
  if (oldTokens.length === 0 && newTokens.length === 0) return undefined;
  const left = prefix > 0 ? abstractOf(before[prefix - 1]!.text) : START;
  const right = suffix > 0 ? abstractOf(before[before.length - suffix]!.text) : END;
  const old = oldTokens.map((t) => abstractOf(t.text));
  // Too general to try everywhere: an edit that changes only names and literals (a rename, a new constant).
  const changed = [...old, ...newTokens.map((t) => abstractOf(t.text))];
  if (changed.every((t) => ["ID", "NUM", "STR"].includes(t))) return undefined;
  const replacement: Array<string | number> = [];
  newTokens.forEach((token, i) => {
    const shared = oldTokens.findIndex((o) => o.text === token.text && abstractOf(o.text) !== o.text);
    const gap = i === 0 ? "" : newLine.slice(newTokens[i - 1]!.start + newTokens[i - 1]!.text.length, token.start);
    if (gap) replacement.push(gap);
    replacement.push(shared >= 0 ? shared : token.text);
  });
  const oldText = oldTokens.map((t) => t.text).join(" ");
  const newText = newTokens.map((t) => t.text).join(" ");
  return {
    language: example.language,
    left,
    old,
    right,
    replacement,
    description: `${oldText ? `\`${oldText}\`` : "insert"} -> ${newText ? `\`${newText}\`` : "delete"} (${example.source})`,
  };
}

/** The line with the template applied at each place whose shape matches; one result per place, none when none. */
export function applyTemplate(template: EditTemplate, line: string): string[] {
  const tokens = tokenize(line);
  const abstract = tokens.map((t) => abstractOf(t.text));
  const out: string[] = [];
  const n = template.old.length;
  for (let at = 0; at + n <= tokens.length; at++) {
    const left = at === 0 ? START : abstract[at - 1];
    const right = at + n === tokens.length ? END : abstract[at + n];
    if (left !== template.left || right !== template.right) continue;
    if (template.old.some((t, k) => abstract[at + k] !== t)) continue;
    // An insertion between two tokens needs a place: the end of the left token.
    const from = n > 0 ? tokens[at]!.start : at > 0 ? tokens[at - 1]!.start + tokens[at - 1]!.text.length : 0;
    const to = n > 0 ? tokens[at + n - 1]!.start + tokens[at + n - 1]!.text.length : from;
    const text = template.replacement.map((p) => (typeof p === "number" ? tokens[at + p]!.text : p)).join("");
    const result = line.slice(0, from) + text + line.slice(to);
    if (result !== line) out.push(result);
  }
  return out;
}
