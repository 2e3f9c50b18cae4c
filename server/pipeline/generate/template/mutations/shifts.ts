import type { TemplateEdit } from "../edits.js";
import { namedChildren, textOf, type LiteNode } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";
import { argumentsOf, calleeOf } from "../scope.js";
import { operatorOf, shiftedByOne } from "./literals.js";

const ARITHMETIC = new Set(["+", "-", "*", "/", "%", "//"]);
const ADDITIVE = new Set(["+", "-"]);
/** Fields under which a node is the value being assigned or declared, across the grammars. */
const VALUE_FIELDS = new Set(["value", "right"]);

/** Confidence of each shifted position: below the index and bound shifts of literals.ts, which are surer. */
const WEIGHT = {
  /** `return count` -> `return count + 1`: a computed result that is one off (lengths, counts, sizes). */
  returnedArithmetic: 0.6,
  returnedName: 0.45,
  /** `end = s + strlen(s)` -> `... - 1`: pointer and length arithmetic on the right of an assignment. */
  assignedArithmetic: 0.6,
  /**
   * `search(mid, end)` -> `search(mid + 1, end)` inside `search(start, end)`: recursion narrows a range, and the
   * argument that differs from its parameter is the moved bound. Arguments passed through unchanged rank low.
   */
  recursiveNarrowedArgument: 0.8,
  recursivePassedThrough: 0.35,
  /** Names passed to other calls are shifted last: most arguments are not bounds. */
  plainCallArgument: 0.4,
  methodCallArgument: 0.35,
} as const;

function isArithmetic(input: MutationInput, node: LiteNode, operators: ReadonlySet<string>): boolean {
  if (!input.syntax.binaryParents.has(node.type)) return false;
  const op = operatorOf(node);
  return op !== undefined && operators.has(op);
}

function isName(input: MutationInput, node: LiteNode): boolean {
  return input.syntax.variableTypes.has(node.type);
}

/**
 * The definition named `name` that encloses the node (by its `name` field), i.e. the function a call to `name`
 * recurses into, or undefined when the call is not recursive.
 */
function enclosingDefinitionNamed(node: LiteNode, name: string, source: string): LiteNode | undefined {
  for (let p = node.parent; p; p = p.parent) {
    const nameNode = p.children.find((c) => c.field === "name");
    if (nameNode && nameNode !== node && textOf(source, nameNode) === name) return p;
  }
  return undefined;
}

/** Parameter names of a definition in order (the first name inside each parameter), as far as they are plain. */
function parameterNames(definition: LiteNode, source: string): string[] {
  const list = definition.children.find((c) => c.field === "parameters");
  if (!list) return [];
  return namedChildren(list).map((parameter) => {
    const match = /[A-Za-z_][A-Za-z0-9_]*/.exec(textOf(source, parameter));
    return match?.[0] ?? "";
  });
}

/** Weights for the name arguments of one call. */
function argumentWeights(input: MutationInput, call: LiteNode): Array<[LiteNode, number]> {
  const { syntax, source } = input;
  const callee = calleeOf(syntax, call);
  if (!callee) return [];
  const names = argumentsOf(syntax, call).filter((argument) => isName(input, argument));
  if (!isName(input, callee)) return names.map((argument) => [argument, WEIGHT.methodCallArgument]);
  const definition = enclosingDefinitionNamed(call, textOf(source, callee), source);
  if (!definition) return names.map((argument) => [argument, WEIGHT.plainCallArgument]);
  const parameters = parameterNames(definition, source);
  return argumentsOf(syntax, call).flatMap((argument, position): Array<[LiteNode, number]> => {
    if (!isName(input, argument)) return [];
    const passedThrough = parameters[position] === textOf(source, argument);
    return [[argument, passedThrough ? WEIGHT.recursivePassedThrough : WEIGHT.recursiveNarrowedArgument]];
  });
}

/** The shifted positions in the hunk, each with how likely a one-off error is there. */
function shiftTargets(input: MutationInput): Map<LiteNode, number> {
  const { syntax } = input;
  const targets = new Map<LiteNode, number>();
  const add = (node: LiteNode, weight: number): void => {
    targets.set(node, Math.max(weight, targets.get(node) ?? 0));
  };
  for (const node of input.inHunk) {
    if (syntax.returnTypes.has(node.type)) {
      const value = namedChildren(node)[0];
      if (!value) continue;
      if (isArithmetic(input, value, ARITHMETIC)) {
        add(value, WEIGHT.returnedArithmetic);
      } else if (isName(input, value)) {
        add(value, WEIGHT.returnedName);
      }
    } else if (
      VALUE_FIELDS.has(node.field ?? "") &&
      node.parent !== undefined &&
      !syntax.binaryParents.has(node.parent.type) &&
      isArithmetic(input, node, ADDITIVE)
    ) {
      add(node, WEIGHT.assignedArithmetic);
    } else if (syntax.calls.has(node.type)) {
      for (const [argument, weight] of argumentWeights(input, node)) add(argument, weight);
    }
  }
  return targets;
}

/**
 * Off-by-one shifts of whole expressions outside index positions: returned values, the arithmetic on the right
 * of an assignment, and names passed to calls. Literals and subscripts are covered by literalEdits.
 */
export function shiftEdits(input: MutationInput): TemplateEdit[] {
  return [...shiftTargets(input)].flatMap(([node, weight]) => shiftedByOne(input.syntax, input.source, node, weight));
}
