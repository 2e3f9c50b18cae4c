/**
 * A template edit: one span of the file replaced by new text. Every mutation yields edits of this shape, and the
 * generator turns them into candidates for the hunk.
 */
export type TemplateEditKind =
  | "operator"
  | "off-by-one"
  | "literal"
  | "condition"
  | "guard"
  | "swap"
  | "identifier"
  | "callee"
  | "return"
  | "delete"
  | "donor";

export interface TemplateEdit {
  /** Span in file offsets; the replacement goes there. */
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
  readonly kind: TemplateEditKind;
  readonly description: string;
  /** Confidence within the kind in (0, 1]: e.g. `<` -> `<=` outranks `<` -> `==`. */
  readonly weight: number;
}

/** A candidate already expressed as whole replacement lines (line-level edits: deletions, guards, donors). */
export interface TemplateLines {
  readonly text: string;
  readonly kind: TemplateEditKind;
  readonly description: string;
  readonly weight: number;
}

/**
 * How often each kind of edit repairs a real bug, as a prior in (0, 1]. The order follows the fix-pattern
 * statistics of the APR literature (condition and operator changes, off-by-one shifts and null checks are the
 * most frequent one-hunk fixes in Defects4J, QuixBugs and ManySStuBs4J; wrong variables and wrong method calls
 * come next; deletions and transplanted code are rarer and riskier). The exact values are our calibration.
 */
export const EDIT_KIND_PRIOR: Readonly<Record<TemplateEditKind, number>> = {
  operator: 0.9,
  "off-by-one": 0.85,
  condition: 0.72,
  guard: 0.66,
  literal: 0.62,
  identifier: 0.6,
  callee: 0.56,
  return: 0.52,
  swap: 0.5,
  donor: 0.5,
  delete: 0.4,
};

/** Smaller edits first: a one-character change keeps nearly all of its prior, a 60-character one about half. */
export function sizeFactor(changedChars: number): number {
  return 1 / (1 + Math.max(0, changedChars) / 60);
}

export function scoreOf(kind: TemplateEditKind, weight: number, changedChars: number): number {
  return EDIT_KIND_PRIOR[kind] * Math.min(1, Math.max(0, weight)) * sizeFactor(changedChars);
}

/** Characters that differ between two texts once their common prefix and suffix are set aside. */
export function changedChars(before: string, after: string): number {
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) {
    suffix++;
  }
  return Math.max(before.length, after.length) - prefix - suffix;
}

/** Short inline code for descriptions, shortened so titles stay readable. */
export function code(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return "`" + (flat.length > 40 ? flat.slice(0, 39) + "…" : flat) + "`";
}
