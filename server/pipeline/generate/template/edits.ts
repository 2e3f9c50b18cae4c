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
  | "donor"
  | "wrap"
  | "unwrap";

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
 * How likely one edit of each kind is to be the fix, as a prior in (0, 1]. What the published tables say
 * (REFERENCE.md §7), per bug rather than per candidate edit:
 * - ManySStuBs4J, one-statement Java bugs (h4iku/repairSStuBs README table, 6,706 bugs): identifier changes
 *   (CHANGE_IDENTIFIER 2429 + CHANGE_OPERAND 93) and wrong calls (DIFFERENT_METHOD_SAME_ARGS 1422 +
 *   CHANGE_CALLER_IN_FUNCTION_CALL 177) are most bugs; then numerals (CHANGE_NUMERAL 754, our off-by-one shifts),
 *   conditions (LESS_SPECIFIC_IF 187 + MORE_SPECIFIC_IF 154 + CHANGE_UNARY_OPERATOR 161), binary operators
 *   (CHANGE_OPERATOR 250), swapped arguments (SWAP_ARGUMENTS 120) and booleans (SWAP_BOOLEAN_LITERAL 112).
 * - Martinez and Monperrus, "Mining software repair models" (EMSE 2015), change actions of 1,196,385 changes:
 *   inserting an if statement (our guards) 6.6%, deleting a method invocation 5.5% (deletions), inserting a method
 *   invocation 6.9% (donor lines), inserting a return 2.0%.
 * The values below are per candidate edit, not per bug: a hunk yields one or two operator edits but tens of
 * identifier and callee replacements, so the frequent-per-bug kinds with many candidates each sit lower than their
 * share, and single-candidate kinds with high risk of plausible-but-wrong patches (deletions) sit lowest. They are
 * not fitted to test/fixtures; turning the shares above into per-candidate priors (share / candidates of the kind
 * in the hunk) is the calibration issue 17 asks for and is left to a change that can be benchmarked on its own.
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
  // Adding or removing a min/max/abs wrapper or an operand has no row of its own in ManySStuBs4J (its nearest
  // patterns, OVERLOAD_METHOD_MORE_ARGS 662 and OVERLOAD_METHOD_DELETED_ARGS 162, change a call's arguments), so
  // these families sit just below the rarest counted kinds (swap: SWAP_ARGUMENTS 120; literal: SWAP_BOOLEAN_LITERAL
  // 112, of 6,706 bugs) rather than being fitted to any fixture.
  wrap: 0.45,
  unwrap: 0.45,
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
