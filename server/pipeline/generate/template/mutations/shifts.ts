import type { TemplateEdit } from "../edits.js";
import { namedChildren, type LiteNode } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";
import { argumentsOf } from "../scope.js";
import { operatorOf, shiftedByOne } from "./literals.js";

const ARITHMETIC = new Set(["+", "-", "*", "/", "%", "//"]);
/** Fields under which a node is the value being assigned or declared, across the grammars. */
const VALUE_FIELDS = new Set(["value", "right"]);

/**
 * Confidence of a `± 1` shift of a whole value expression, below the index and bound shifts of literals.ts.
 * ManySStuBs4J counts 754 CHANGE_NUMERAL fixes among 6,706 one-statement bugs (REFERENCE.md §7), the numeral
 * shifts literals.ts makes; a shift that adds `± 1` to an expression without a numeral is no pattern of its own
 * there (it falls under CHANGE_OPERAND, 93), so these positions rank below literal shifts. Every value position
 * (a returned value, the right side of an assignment, a call argument) gets the same weight: no position is
 * singled out, and computed values are surer than bare names, which are more often right as they stand.
 */
const WEIGHT = {
  arithmetic: 0.55,
  name: 0.4,
} as const;

function isArithmetic(input: MutationInput, node: LiteNode): boolean {
  if (!input.syntax.binaryParents.has(node.type)) return false;
  const op = operatorOf(node);
  return op !== undefined && ARITHMETIC.has(op);
}

function isName(input: MutationInput, node: LiteNode): boolean {
  return input.syntax.variableTypes.has(node.type);
}

/** The weight of shifting a value expression, or undefined when it is neither arithmetic nor a name. */
function valueWeight(input: MutationInput, node: LiteNode): number | undefined {
  if (isArithmetic(input, node)) return WEIGHT.arithmetic;
  if (isName(input, node)) return WEIGHT.name;
  return undefined;
}

/** The value positions in the hunk (returned values, assigned values, call arguments), each with its weight. */
function shiftTargets(input: MutationInput): Map<LiteNode, number> {
  const { syntax } = input;
  const targets = new Map<LiteNode, number>();
  const add = (node: LiteNode | undefined): void => {
    const weight = node && valueWeight(input, node);
    if (node && weight !== undefined) targets.set(node, Math.max(weight, targets.get(node) ?? 0));
  };
  for (const node of input.inHunk) {
    if (syntax.returnTypes.has(node.type)) {
      add(namedChildren(node)[0]);
    } else if (
      VALUE_FIELDS.has(node.field ?? "") &&
      node.parent !== undefined &&
      !syntax.binaryParents.has(node.parent.type)
    ) {
      add(node);
    } else if (syntax.calls.has(node.type)) {
      for (const argument of argumentsOf(syntax, node)) add(argument);
    }
  }
  return targets;
}

/**
 * Off-by-one shifts of whole value expressions outside index positions: returned values, assigned values and
 * call arguments. Literals and subscripts are covered by literalEdits.
 */
export function shiftEdits(input: MutationInput): TemplateEdit[] {
  return [...shiftTargets(input)].flatMap(([node, weight]) => shiftedByOne(input.syntax, input.source, node, weight));
}
