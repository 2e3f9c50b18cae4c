import { code, type TemplateEdit } from "../edits.js";
import { textOf, type LiteNode } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";
import { argumentsOf, proximity, type NameUse } from "../scope.js";

/** Fields under which a node is the value being assigned or declared, across the grammars. */
const VALUE_FIELDS = new Set(["value", "right"]);
/** Fields holding the target of that assignment, so that `x = False` never becomes `x = x`. */
const TARGET_FIELDS = new Set(["left", "name", "pattern"]);
/** Alternatives per literal: the list stays bounded however many names are in scope. */
const PER_LITERAL = 4;

/** What a literal stands for, and so which in-scope expressions may take its place. */
type LiteralRole = "boolean" | "number" | "sequence" | "absent";

/** The uses that make a variable fit each role (a counter is compared or computed, a list indexed or iterated). */
const FITTING_USES: Readonly<Record<Exclude<LiteralRole, "boolean" | "absent">, readonly NameUse[]>> = {
  number: ["arithmetic", "compared"],
  sequence: ["indexed", "iterated"],
};

const NULL_TEXTS = new Set(["None", "null", "nil", "NULL", "nullptr", "undefined"]);

function roleOfLiteral(input: MutationInput, node: LiteNode, text: string): LiteralRole | undefined {
  const { syntax } = input;
  if (syntax.booleanLiterals.has(node.type) && (text === syntax.trueWord || text === syntax.falseWord)) {
    return "boolean";
  }
  if (NULL_TEXTS.has(text) && node.named && node.children.length === 0) return "absent";
  if (syntax.integerLiterals.has(node.type) && text === "0") return "number";
  if (/^(\[\]|""|''|vec!\[\]|new ArrayList<>\(\)|\{\})$/.test(text)) return "sequence";
  return undefined;
}

/** Whether the literal is a returned value, an assigned or declared value, or a call argument. */
function isValuePosition(input: MutationInput, node: LiteNode): boolean {
  const { syntax } = input;
  let parent = node.parent;
  // Go returns and assigns expression lists: `return 0`, `a, b = 0, nil`.
  if (parent && parent.type === "expression_list" && parent.parent) {
    if (syntax.returnTypes.has(parent.parent.type)) return true;
    if (VALUE_FIELDS.has(parent.field ?? "")) return true;
    parent = undefined;
  }
  if (!parent) return false;
  if (syntax.returnTypes.has(parent.type)) return true;
  if (VALUE_FIELDS.has(node.field ?? "") && !syntax.binaryParents.has(parent.type)) return true;
  const call = parent.parent;
  return call !== undefined && syntax.calls.has(call.type) && argumentsOf(syntax, call).includes(node);
}

/** The plain name the literal is assigned to, if any: it is no candidate for its own value. */
function targetOf(source: string, node: LiteNode): string | undefined {
  const owner = node.parent;
  const target = owner?.children.find((c) => c.field !== null && TARGET_FIELDS.has(c.field) && c !== node);
  return target ? textOf(source, target) : undefined;
}

interface Alternative {
  readonly text: string;
  readonly weight: number;
}

/** Closeness in (0, 1]: 1 on the literal's own line, decaying over a few lines. */
function closeness(distance: number): number {
  return 1 / (1 + distance / 8);
}

function alternativesFor(input: MutationInput, role: LiteralRole, row: number, exclude: string): Alternative[] {
  const { scope, syntax } = input;
  const out: Alternative[] = [];
  if (role === "boolean") {
    // A comparison the function already makes is the likeliest condition (`return False` -> `return n > limit`).
    for (const comparison of scope.comparisons) {
      if (comparison.row === row) continue;
      out.push({ text: comparison.text, weight: 0.6 + 0.4 * closeness(Math.abs(comparison.row - row)) });
    }
  }
  for (const [name, stats] of scope.variables) {
    if (name === exclude || syntax.keywords.has(name)) continue;
    const uses = scope.uses.get(name);
    const fits =
      role === "absent"
        ? true
        : role === "boolean"
          ? uses?.has("boolean") === true
          : FITTING_USES[role].some((u) => uses?.has(u) === true);
    if (!fits) continue;
    // A name for an absent value is a long shot unless it is close by.
    const base = role === "absent" ? 0.35 : 0.5;
    out.push({ text: name, weight: base + 0.4 * closeness(proximity(stats, row)) });
  }
  return out.sort((a, b) => b.weight - a.weight || a.text.localeCompare(b.text)).slice(0, PER_LITERAL);
}

/**
 * A literal `True`/`False`/`None`/`0`/`[]`/`""` that is returned, assigned or passed, replaced by an in-scope
 * expression of the same role: a comparison the function already makes or a boolean-valued name for a boolean,
 * a counted or compared name for 0, an indexed or iterated name for an empty sequence, any close name for null.
 * At most a few alternatives per literal, nearest first.
 */
export function literalExpressionEdits(input: MutationInput): TemplateEdit[] {
  const { source, inHunk } = input;
  const edits: TemplateEdit[] = [];
  for (const node of inHunk) {
    const text = textOf(source, node);
    const role = roleOfLiteral(input, node, text);
    if (!role || !isValuePosition(input, node)) continue;
    const exclude = targetOf(source, node) ?? "";
    for (const alt of alternativesFor(input, role, node.startRow, exclude)) {
      if (alt.text === text) continue;
      edits.push({
        start: node.start,
        end: node.end,
        replacement: alt.text,
        kind: "expression",
        description: `${code(text)} -> ${code(alt.text)}`,
        weight: alt.weight,
      });
    }
  }
  return edits;
}
