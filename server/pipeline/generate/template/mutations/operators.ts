import { code, type TemplateEdit } from "../edits.js";
import type { MutationInput } from "../mutation-input.js";

/**
 * Plausible replacements for each operator with a confidence: the near misses (`<` for `<=`, `+` for `-`, `and`
 * for `or`) first, the rest of the operator's family after. Alternatives the language lacks are filtered out by
 * the grammar table.
 */
const BINARY_ALTERNATIVES: Readonly<Record<string, ReadonlyArray<readonly [string, number]>>> = {
  "<": [
    ["<=", 1],
    [">", 0.75],
    [">=", 0.7],
    ["!=", 0.55],
    ["==", 0.45],
  ],
  "<=": [
    ["<", 1],
    [">=", 0.75],
    [">", 0.7],
    ["==", 0.55],
    ["!=", 0.45],
  ],
  ">": [
    [">=", 1],
    ["<", 0.75],
    ["<=", 0.7],
    ["!=", 0.55],
    ["==", 0.45],
  ],
  ">=": [
    [">", 1],
    ["<=", 0.75],
    ["<", 0.7],
    ["==", 0.55],
    ["!=", 0.45],
  ],
  "==": [
    ["!=", 1],
    ["<=", 0.5],
    [">=", 0.5],
    ["<", 0.4],
    [">", 0.4],
    ["is", 0.35],
  ],
  "!=": [
    ["==", 1],
    ["<", 0.55],
    [">", 0.55],
    ["<=", 0.4],
    [">=", 0.4],
    ["is not", 0.35],
  ],
  "===": [
    ["!==", 1],
    ["==", 0.4],
  ],
  "!==": [
    ["===", 1],
    ["!=", 0.4],
  ],
  "+": [
    ["-", 1],
    ["*", 0.55],
  ],
  "-": [
    ["+", 1],
    ["*", 0.45],
    ["/", 0.35],
  ],
  "*": [
    ["/", 0.85],
    ["+", 0.6],
    ["**", 0.5],
    ["-", 0.4],
  ],
  "/": [
    ["//", 0.95],
    ["*", 0.85],
    ["%", 0.6],
    ["-", 0.35],
  ],
  "//": [
    ["/", 0.95],
    ["%", 0.6],
    ["*", 0.5],
  ],
  "%": [
    ["/", 0.7],
    ["//", 0.6],
  ],
  "**": [["*", 0.8]],
  "&&": [["||", 1]],
  "||": [
    ["&&", 1],
    ["??", 0.5],
  ],
  "??": [["||", 0.8]],
  and: [["or", 1]],
  or: [["and", 1]],
  "&": [
    ["|", 0.85],
    ["&&", 0.6],
    ["^", 0.4],
  ],
  "|": [
    ["&", 0.85],
    ["||", 0.6],
    ["^", 0.4],
  ],
  "^": [
    ["|", 0.6],
    ["&", 0.5],
  ],
  "<<": [[">>", 0.9]],
  ">>": [
    ["<<", 0.9],
    [">>>", 0.6],
  ],
  ">>>": [[">>", 0.8]],
  "&^": [["&", 0.6]],
  is: [
    ["is not", 1],
    ["==", 0.5],
  ],
  "is not": [
    ["is", 1],
    ["!=", 0.5],
  ],
  in: [["not in", 1]],
  "not in": [["in", 1]],
};

const ASSIGNMENT_ALTERNATIVES: Readonly<Record<string, ReadonlyArray<readonly [string, number]>>> = {
  "=": [
    ["+=", 0.55],
    ["-=", 0.45],
  ],
  "+=": [
    ["-=", 1],
    ["=", 0.8],
    ["*=", 0.45],
  ],
  "-=": [
    ["+=", 1],
    ["=", 0.8],
  ],
  "*=": [
    ["/=", 0.85],
    ["+=", 0.5],
    ["=", 0.5],
  ],
  "/=": [
    ["//=", 0.9],
    ["*=", 0.85],
    ["=", 0.5],
  ],
  "//=": [
    ["/=", 0.9],
    ["=", 0.5],
  ],
  "%=": [["/=", 0.5]],
  "&=": [["|=", 0.85]],
  "|=": [["&=", 0.85]],
  "^=": [["|=", 0.6]],
  "<<=": [[">>=", 0.85]],
  ">>=": [["<<=", 0.85]],
  "&&=": [["||=", 0.9]],
  "||=": [
    ["&&=", 0.9],
    ["??=", 0.5],
  ],
};

/** Operator replacement: binary, comparison, logical, bitwise, assignment/compound and increment operators. */
export function operatorEdits(input: MutationInput): TemplateEdit[] {
  const { syntax, inHunk } = input;
  const edits: TemplateEdit[] = [];
  for (const node of inHunk) {
    if (node.named || !node.parent) continue;
    const op = node.type;
    let table: ReadonlyArray<readonly [string, number]> | undefined;
    let allowed: ReadonlySet<string> | undefined;
    if (syntax.binaryParents.has(node.parent.type)) {
      table = BINARY_ALTERNATIVES[op];
      allowed = syntax.binaryOperators;
    } else if (syntax.assignmentParents.has(node.parent.type)) {
      table = ASSIGNMENT_ALTERNATIVES[op];
      allowed = syntax.assignmentOperators;
    } else if (syntax.updateParents.has(node.parent.type) && (op === "++" || op === "--")) {
      table = [[op === "++" ? "--" : "++", 0.9]];
    }
    if (!table) continue;
    for (const [alternative, weight] of table) {
      if (allowed && !allowed.has(alternative)) continue;
      edits.push({
        start: node.start,
        end: node.end,
        replacement: alternative,
        kind: "operator",
        description: `${code(op)} -> ${code(alternative)}`,
        weight,
      });
    }
  }
  return edits;
}
