/** A line with one hole: the text before it, the masked text, and the text after it. */
export interface Mask {
  /** What is masked, for descriptions: "condition", "return value", "assigned value". */
  readonly kind: string;
  readonly before: string;
  readonly masked: string;
  readonly after: string;
}

/**
 * Masked holes of the GAMMA families: an `if`/`elif`/`while` condition (Python or C-like), a `return` value and
 * an assignment's right-hand side. A line gives at most one mask per family; a line of none of these shapes gives
 * none.
 */
const SHAPES: ReadonlyArray<{ readonly kind: string; readonly pattern: RegExp }> = [
  { kind: "condition", pattern: /^(\s*(?:elif|if|while)\s+)(.+?)(\s*:\s*(?:#.*)?)$/ },
  { kind: "condition", pattern: /^(\s*(?:\}\s*)?(?:else\s+)?(?:if|while)\s*\()(.+)(\)\s*\{?\s*)$/ },
  { kind: "return value", pattern: /^(\s*return\s+)(.+?)(\s*;?\s*)$/ },
  {
    kind: "assigned value",
    pattern:
      /^(\s*(?:(?:const|let|var|final|int|long|double|auto)\s+)?[\w.[\]]+\s*(?:[-+*/%]?=)(?!=)\s*)(.+?)(\s*;?\s*)$/,
  },
];

export function masksOf(line: string): Mask[] {
  const masks: Mask[] = [];
  for (const { kind, pattern } of SHAPES) {
    const match = pattern.exec(line);
    if (!match || masks.some((m) => m.kind === kind)) continue;
    const [, before, masked, after] = match;
    if (masked!.trim() === "") continue;
    masks.push({ kind, before: before!, masked: masked!, after: after! });
  }
  return masks;
}

/**
 * The filled line from a model's answer for a hole: the first line of the answer, trimmed, without a repeat of the
 * text after the hole (models often write the rest of the line too). Undefined when nothing usable came back.
 */
export function filledLine(mask: Mask, answer: string | undefined): string | undefined {
  if (answer === undefined) return undefined;
  let fill = answer.split("\n")[0]!.trim();
  const rest = mask.after.trim();
  if (rest !== "" && fill.endsWith(rest)) fill = fill.slice(0, fill.length - rest.length).trimEnd();
  if (fill === "") return undefined;
  return mask.before + fill + mask.after.trimEnd();
}
