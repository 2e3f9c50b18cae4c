import { code, type TemplateEdit } from "../edits.js";
import type { LanguageSyntax } from "../language-syntax.js";
import { childByField, namedChildren, textOf, type LiteNode } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";
import { argumentsOf, calleeOf, isCallNode } from "../scope.js";

const DECIMAL_INTEGER = /^(\d+)([a-zA-Z_]\w*)?$/;
const ARITHMETIC = new Set(["+", "-", "*", "/", "%", "//"]);
const RELATIONAL = new Set(["<", "<=", ">", ">="]);

export function operatorOf(node: LiteNode): string | undefined {
  return node.children.find((c) => !c.named)?.type;
}

/** Whether a node is `e + k` or `e - k` with an integer literal k: shifting the literal covers it. */
function isShiftedByLiteral(syntax: LanguageSyntax, node: LiteNode): boolean {
  if (!syntax.binaryParents.has(node.type)) return false;
  const op = operatorOf(node);
  const last = namedChildren(node).at(-1);
  return (op === "+" || op === "-") && last !== undefined && syntax.integerLiterals.has(last.type);
}

/** Whether `text + 1` needs parentheses around text to keep its meaning. */
function needsParens(syntax: LanguageSyntax, node: LiteNode): boolean {
  if (syntax.primaryTypes.has(node.type)) return false;
  if (syntax.binaryParents.has(node.type)) {
    const op = operatorOf(node);
    return op === undefined || !ARITHMETIC.has(op);
  }
  return true;
}

/**
 * Expressions that act as indices or bounds: subscripts, slice and range bounds, arguments of range-like calls,
 * and the operands of relational comparisons. Off-by-one bugs live here. Each comes with a confidence.
 */
function boundExpressions(input: MutationInput): Array<{ node: LiteNode; weight: number }> {
  const { syntax, source, inHunk } = input;
  const out: Array<{ node: LiteNode; weight: number }> = [];
  for (const node of inHunk) {
    if (syntax.subscripts.has(node.type)) {
      const field = syntax.subscripts.get(node.type);
      const index = field !== undefined ? childByField(node, field) : namedChildren(node).at(-1);
      if (!index) continue;
      if (syntax.boundContainers.has(index.type)) continue; // C++'s [i] list: its children are visited below.
      out.push({ node: index, weight: 1 });
    } else if (syntax.boundContainers.has(node.type)) {
      for (const bound of namedChildren(node)) {
        if (bound.field !== "operand") out.push({ node: bound, weight: 0.95 });
      }
    } else if (isCallNode(syntax, node)) {
      const callee = calleeOf(syntax, node);
      const name = callee ? lastName(source, callee) : undefined;
      if (name && syntax.boundCallees.has(name)) {
        for (const arg of argumentsOf(syntax, node)) out.push({ node: arg, weight: 0.95 });
      }
    } else if (syntax.binaryParents.has(node.type)) {
      const op = operatorOf(node);
      if (op && RELATIONAL.has(op)) {
        const operands = namedChildren(node);
        const right = operands.at(-1);
        const left = operands[0];
        if (right) out.push({ node: right, weight: 0.85 });
        if (left && left !== right) out.push({ node: left, weight: 0.6 });
      }
    }
  }
  return out;
}

function lastName(source: string, callee: LiteNode): string {
  const text = textOf(source, callee);
  const match = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text);
  return match?.[1] ?? text;
}

/** Integer literals shifted by one, booleans flipped, and index/bound expressions shifted by one. */
export function literalEdits(input: MutationInput): TemplateEdit[] {
  const { syntax, source, inHunk } = input;
  const edits: TemplateEdit[] = [];
  const boundNodes = boundExpressions(input);
  const boundWeight = new Map<LiteNode, number>();
  for (const { node, weight } of boundNodes) boundWeight.set(node, Math.max(weight, boundWeight.get(node) ?? 0));

  for (const node of inHunk) {
    const text = textOf(source, node);
    if (syntax.integerLiterals.has(node.type)) {
      const match = DECIMAL_INTEGER.exec(text);
      if (!match) continue;
      const value = Number(match[1]);
      const suffix = match[2] ?? "";
      // A literal in an index or bound position is the classic off-by-one; elsewhere it is a plain constant.
      const inBound = boundWeight.has(node) || isInsideBound(node, boundWeight);
      const weight = inBound ? 1 : 0.8;
      for (const shifted of [value + 1, value - 1]) {
        const replacement = `${shifted}${suffix}`;
        const simplified = shifted === 0 ? dropZeroOperand(syntax, source, node, weight) : undefined;
        edits.push(simplified ?? replacing(node, text, replacement, "off-by-one", weight));
      }
    } else if (syntax.booleanLiterals.has(node.type) && (text === syntax.trueWord || text === syntax.falseWord)) {
      const replacement = text === syntax.trueWord ? syntax.falseWord : syntax.trueWord;
      edits.push(replacing(node, text, replacement, "literal", 0.9));
    }
  }

  for (const [node, weight] of boundWeight) edits.push(...shiftedByOne(syntax, source, node, weight * 0.95));
  return edits;
}

/**
 * `e` -> `e + 1` and `e - 1` for a one-line expression, parenthesised where needed. Literals and expressions that
 * already end in `± k` get nothing: shifting their literal says the same more simply.
 */
export function shiftedByOne(syntax: LanguageSyntax, source: string, node: LiteNode, weight: number): TemplateEdit[] {
  if (syntax.integerLiterals.has(node.type) || isShiftedByLiteral(syntax, node)) return [];
  const text = textOf(source, node);
  if (text.trim() === "" || text.includes("\n")) return [];
  const operand = needsParens(syntax, node) ? `(${text})` : text;
  return ["+ 1", "- 1"].map((delta) => replacing(node, text, `${operand} ${delta}`, "off-by-one", weight));
}

/** An edit replacing a whole node, described as `old` -> `new`. */
function replacing(
  node: LiteNode,
  text: string,
  replacement: string,
  kind: TemplateEdit["kind"],
  weight: number,
): TemplateEdit {
  return {
    start: node.start,
    end: node.end,
    replacement,
    kind,
    description: `${code(text)} -> ${code(replacement)}`,
    weight,
  };
}

function isInsideBound(node: LiteNode, bounds: ReadonlyMap<LiteNode, number>): boolean {
  for (let p = node.parent, depth = 0; p && depth < 3; p = p.parent, depth++) {
    if (bounds.has(p)) return true;
  }
  return false;
}

/**
 * `e + 1` shifted to `e + 0` is written `e`: the form a developer's fix has. It is the same shift, so it keeps the
 * weight the literal's shift would have had.
 */
function dropZeroOperand(
  syntax: LanguageSyntax,
  source: string,
  literal: LiteNode,
  weight: number,
): TemplateEdit | undefined {
  const parent = literal.parent;
  if (!parent || !syntax.binaryParents.has(parent.type)) return undefined;
  const op = operatorOf(parent);
  const operands = namedChildren(parent);
  if ((op !== "+" && op !== "-") || operands.length !== 2 || operands[1] !== literal) return undefined;
  const left = textOf(source, operands[0]!);
  return {
    start: parent.start,
    end: parent.end,
    replacement: left,
    kind: "off-by-one",
    description: `${code(textOf(source, parent))} -> ${code(left)}`,
    weight,
  };
}
