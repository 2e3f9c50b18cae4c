import type { LanguageId } from "../../../../../grammars/languages.js";
import { code, type TemplateEdit } from "../edits.js";
import { childByField, namedChildren, textOf, type LiteNode } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";
import { argumentsOf, calleeOf, proximity } from "../scope.js";
import { operatorOf } from "./literals.js";

/**
 * Wrapping a value in min/max/abs, and the inverse: dropping such a wrapper or one operand of an arithmetic
 * expression (`abs(x - y)` -> `x - y`, `max(a, b)` -> `a`, `total * 2` -> `total`). A clamp that a developer forgot
 * (`delay = min(cap, delay)`), or a running extreme kept wrong (`end = max(end, next)`), is a one-expression fix;
 * so is a wrapper or factor that should not be there.
 */

/** Calls whose removal leaves one of their arguments (or their receiver, for method forms such as Rust's). */
const WRAPPER_NAMES = new Set(["abs", "fabs", "labs", "min", "max", "fmin", "fmax", "round", "floor", "ceil", "trunc"]);
const ARITHMETIC = new Set(["+", "-", "*", "/", "%", "//"]);
/** Fields under which a node is the value being assigned or declared, across the grammars. */
const VALUE_FIELDS = new Set(["value", "right"]);
/** In-scope names tried as the other side of a new min/max: the nearest few to the hunk. */
const MAX_CLAMP_NAMES = 3;

/** How each language spells the wrappers this family inserts; undefined where a language has no generic one. */
interface Spelling {
  readonly min?: (a: string, b: string) => string;
  readonly max?: (a: string, b: string) => string;
  readonly abs?: (e: string) => string;
}

const call = (name: string) => (a: string, b: string) => `${name}(${a}, ${b})`;
const SPELLINGS: Partial<Record<LanguageId, Spelling>> = {
  python: { min: call("min"), max: call("max"), abs: (e) => `abs(${e})` },
  javascript: { min: call("Math.min"), max: call("Math.max"), abs: (e) => `Math.abs(${e})` },
  typescript: { min: call("Math.min"), max: call("Math.max"), abs: (e) => `Math.abs(${e})` },
  java: { min: call("Math.min"), max: call("Math.max"), abs: (e) => `Math.abs(${e})` },
  cpp: { min: call("std::min"), max: call("std::max"), abs: (e) => `std::abs(${e})` },
  rust: { min: call("std::cmp::min"), max: call("std::cmp::max"), abs: (e) => `(${e}).abs()` },
  // C has abs() for ints only and Go (before 1.21, which workspaces may target) has no generic min/max: no wrappers.
};

/**
 * Confidences within the two kinds. Dropping the right operand (`total * 2` -> `total`) is likelier than dropping
 * the left one; clamping with the assigned variable itself is the running-extreme idiom, likelier than clamping
 * with another name in scope.
 */
const WEIGHT = {
  dropWrapperSingle: 0.8,
  dropWrapperArgument: 0.6,
  dropRightOperand: 0.6,
  dropLeftOperand: 0.4,
  clampWithTarget: 0.7,
  clampWithName: 0.5,
  abs: 0.4,
} as const;

function lastName(text: string): string {
  const match = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text);
  return match?.[1] ?? text;
}

function replacing(node: LiteNode, input: MutationInput, replacement: string, kind: "wrap" | "unwrap", weight: number) {
  const text = textOf(input.source, node);
  return {
    start: node.start,
    end: node.end,
    replacement,
    kind,
    description: `${code(text)} -> ${code(replacement)}`,
    weight,
  } satisfies TemplateEdit;
}

/** `abs(e)` -> `e`, `max(a, b)` -> `a` and `b`, and `x.abs()` -> `x`, `a.min(b)` -> `a` and `b`. */
function unwrapCall(input: MutationInput, node: LiteNode): TemplateEdit[] {
  const { syntax, source } = input;
  const callee = calleeOf(syntax, node);
  if (!callee || !WRAPPER_NAMES.has(lastName(textOf(source, callee)))) return [];
  const parts = [...argumentsOf(syntax, node)];
  const member = syntax.memberAccess.get(callee.type);
  const receiver = member ? childByField(callee, member.object) : undefined;
  // A method form (Rust's `x.abs()`, `a.min(b)`) may drop to its receiver; a namespace such as `Math` may not.
  if (receiver && parts.length <= 1 && /^[a-z_(]/.test(textOf(source, receiver))) parts.unshift(receiver);
  const texts = [...new Set(parts.map((p) => textOf(source, p)).filter((t) => t.trim() !== "" && !t.includes("\n")))];
  const weight = texts.length === 1 ? WEIGHT.dropWrapperSingle : WEIGHT.dropWrapperArgument;
  return texts.map((t) => replacing(node, input, t, "unwrap", weight));
}

/** `l * r` -> `l` and `r` for arithmetic operators. */
function dropOperand(input: MutationInput, node: LiteNode): TemplateEdit[] {
  const op = operatorOf(node);
  const operands = namedChildren(node);
  if (!op || !ARITHMETIC.has(op) || operands.length !== 2) return [];
  const [left, right] = operands as [LiteNode, LiteNode];
  return [
    replacing(node, input, textOf(input.source, left), "unwrap", WEIGHT.dropRightOperand),
    replacing(node, input, textOf(input.source, right), "unwrap", WEIGHT.dropLeftOperand),
  ];
}

/** The variable an assigned value goes to (`x = e`, `let x = e`), when it is a plain name. */
function assignedName(input: MutationInput, value: LiteNode): string | undefined {
  const parent = value.parent;
  if (!parent) return undefined;
  const target = parent.children.find(
    (c) => c.named && c !== value && (c.field === "left" || c.field === "name" || c.field === "pattern"),
  );
  if (!target) return undefined;
  const isName = input.syntax.variableTypes.has(target.type) || input.syntax.memberAccess.has(target.type);
  const text = textOf(input.source, target);
  return isName && !text.includes("\n") ? text : undefined;
}

/** Value positions in the hunk: returned values and assigned values (not parts of larger expressions). */
function valuePositions(input: MutationInput): Array<{ node: LiteNode; target?: string }> {
  const { syntax } = input;
  const out: Array<{ node: LiteNode; target?: string }> = [];
  for (const node of input.inHunk) {
    if (syntax.returnTypes.has(node.type)) {
      const value = namedChildren(node)[0];
      if (value) out.push({ node: value });
    } else if (VALUE_FIELDS.has(node.field ?? "") && node.parent && !syntax.binaryParents.has(node.parent.type)) {
      const target = assignedName(input, node);
      out.push({ node, ...(target !== undefined ? { target } : {}) });
    }
  }
  return out;
}

/** Numeric-looking values only: arithmetic, names, fields, calls and indexing; never literals or compound values. */
function isNumericShaped(input: MutationInput, node: LiteNode): boolean {
  const { syntax } = input;
  if (syntax.binaryParents.has(node.type)) {
    const op = operatorOf(node);
    return op !== undefined && ARITHMETIC.has(op);
  }
  return (
    syntax.variableTypes.has(node.type) ||
    syntax.memberAccess.has(node.type) ||
    syntax.calls.has(node.type) ||
    syntax.subscripts.has(node.type)
  );
}

/** Whether a name occurs in an expression's text: clamping a value against its own operand is rarely a fix. */
function usedIn(text: string, name: string): boolean {
  const escaped = name.replace(/[$]/g, "\\$");
  return new RegExp(`(^|[^\\w$])${escaped}([^\\w$]|$)`).test(text);
}

/** `e` -> `min(v, e)`, `max(v, e)` for the assigned variable and the nearest names in scope, and `abs(e)`. */
function wrapValue(
  input: MutationInput,
  spelling: Spelling,
  node: LiteNode,
  target: string | undefined,
): TemplateEdit[] {
  const text = textOf(input.source, node);
  if (text.includes("\n") || !isNumericShaped(input, node)) return [];
  const names = [...input.scope.variables]
    .filter(([name]) => name !== target && !usedIn(text, name) && !input.syntax.keywords.has(name))
    .sort((a, b) => proximity(a[1], input.hunkRow) - proximity(b[1], input.hunkRow) || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_CLAMP_NAMES)
    .map(([name]) => name);
  const partners: Array<[string, number]> = [
    ...(target !== undefined ? [[target, WEIGHT.clampWithTarget] as [string, number]] : []),
    ...names.map((name): [string, number] => [name, WEIGHT.clampWithName]),
  ];
  const edits: TemplateEdit[] = [];
  for (const [partner, weight] of partners) {
    if (spelling.min) edits.push(replacing(node, input, spelling.min(partner, text), "wrap", weight));
    if (spelling.max) edits.push(replacing(node, input, spelling.max(partner, text), "wrap", weight));
  }
  if (spelling.abs && input.syntax.binaryParents.has(node.type)) {
    edits.push(replacing(node, input, spelling.abs(text), "wrap", WEIGHT.abs));
  }
  return edits;
}

/** The family's edits for one hunk. */
export function wrapperEdits(input: MutationInput): TemplateEdit[] {
  const edits: TemplateEdit[] = [];
  for (const node of input.inHunk) {
    if (input.syntax.calls.has(node.type)) edits.push(...unwrapCall(input, node));
    else if (input.syntax.binaryParents.has(node.type)) edits.push(...dropOperand(input, node));
  }
  const spelling = SPELLINGS[input.language];
  if (spelling)
    for (const { node, target } of valuePositions(input)) edits.push(...wrapValue(input, spelling, node, target));
  return edits;
}
