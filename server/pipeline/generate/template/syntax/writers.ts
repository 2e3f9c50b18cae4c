import type { LanguageSyntax } from "./types.js";

/**
 * Pieces several language families share: the C-family operator lists, the `!`/`&&`/`||` logic words, null
 * comparisons and the two shapes of an `if` the engine writes. Each family module builds its table from these so
 * that a fix to a shared writer reaches every language that uses it.
 */
export const set = (...items: string[]): ReadonlySet<string> => new Set(items);

/** A keyword set from one space-separated list, which keeps long keyword tables readable. */
export const words = (...lists: string[]): ReadonlySet<string> => set(...lists.flatMap((list) => list.split(" ")));

export const C_FAMILY_COMPARISONS = ["<", "<=", ">", ">=", "==", "!="];
export const C_FAMILY_ARITHMETIC = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "&&", "||"];
export const C_FAMILY_ASSIGNMENTS = ["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="];

/** Boolean words and logical negation as every language but Python writes them. */
export const C_STYLE_LOGIC = {
  booleanLiterals: set("true", "false"),
  trueWord: "true",
  falseWord: "false",
  andWord: "&&",
  orWord: "||",
  notTypes: set("unary_expression"),
  notToken: "!",
  negate: (x: string) => `!${x}`,
} satisfies Partial<LanguageSyntax>;

/** Null tests written as comparisons with the language's null word (`x == null`, `x != nil`). */
export function nullComparisons(nullWord: string): Pick<LanguageSyntax, "nullWord" | "isNull" | "isNotNull"> {
  return {
    nullWord,
    isNull: (x) => `${x} == ${nullWord}`,
    isNotNull: (x) => `${x} != ${nullWord}`,
  };
}

/** `if (c) stmt;` on one line for a single statement, otherwise a braced block (C, C++, Java, JavaScript). */
export function parenthesisedIfLines(c: string, body: readonly string[], indent: string, unit: string): string[] {
  return body.length === 1
    ? [`${indent}if (${c}) ${body[0]!.trim()}`]
    : [`${indent}if (${c}) {`, ...body.map((l) => indent + unit + l), `${indent}}`];
}

/** `if c { ... }`, where braces are mandatory and parentheses are not written (Go, Rust). */
export function bracedIfLines(c: string, body: readonly string[], indent: string, unit: string): string[] {
  return [`${indent}if ${c} {`, ...body.map((l) => indent + unit + l), `${indent}}`];
}
