import { code, type TemplateEdit } from "../edits.js";
import { namedChildren, textOf, type LiteNode } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";
import { argumentsOf } from "../scope.js";

/** Operators whose operands cannot be swapped without changing the result. Comparisons are left to operator flips. */
const NON_COMMUTATIVE = new Set(["-", "/", "//", "%", "**", "<<", ">>", ">>>", "&^"]);

/**
 * `+` is commutative on numbers but not on strings and lists: its operands are swapped when one of them is visibly
 * a string or list (a quoted literal, an f-string or template, a list or array literal).
 */
const SEQUENCE_LITERAL = /^(?:[rbfuRBFU]{0,2}["'`]|\[|vec!\[)/;

function isSequenceConcatenation(source: string, operands: readonly LiteNode[]): boolean {
  return operands.some((operand) => SEQUENCE_LITERAL.test(textOf(source, operand)));
}

/** Argument kinds whose order does not matter (keyword arguments) or that cannot move (spreads). */
const UNSWAPPABLE_ARGUMENTS = new Set(["keyword_argument", "spread_element", "list_splat", "dictionary_splat"]);

function swapText(source: string, first: LiteNode, second: LiteNode): string {
  return textOf(source, second) + source.slice(first.end, second.start) + textOf(source, first);
}

/**
 * Swapped call arguments (each adjacent pair, and first with last) and swapped operands of `-`, `/`, `%`, shifts,
 * and of `+` on strings and lists.
 */
export function swapEdits(input: MutationInput): TemplateEdit[] {
  const { syntax, source, inHunk } = input;
  const edits: TemplateEdit[] = [];
  for (const node of inHunk) {
    if (syntax.calls.has(node.type)) {
      const args = argumentsOf(syntax, node);
      if (args.length < 2 || args.some((a) => UNSWAPPABLE_ARGUMENTS.has(a.type))) continue;
      const pairs: Array<[number, number]> = [];
      for (let i = 0; i + 1 < args.length; i++) pairs.push([i, i + 1]);
      if (args.length > 2) pairs.push([0, args.length - 1]);
      for (const [i, j] of pairs) {
        const a = args[i]!;
        const b = args[j]!;
        if (textOf(source, a) === textOf(source, b)) continue;
        const swapped = swapText(source, a, b);
        edits.push({
          start: a.start,
          end: b.end,
          replacement: swapped,
          kind: "swap",
          description: `swap arguments ${code(textOf(source, a))} and ${code(textOf(source, b))}`,
          weight: args.length === 2 ? 1 : 0.8,
        });
      }
    } else if (syntax.binaryParents.has(node.type)) {
      const op = node.children.find((c) => !c.named)?.type;
      const operands = namedChildren(node);
      if (!op || operands.length !== 2) continue;
      if (!NON_COMMUTATIVE.has(op) && !(op === "+" && isSequenceConcatenation(source, operands))) continue;
      const [left, right] = operands as [LiteNode, LiteNode];
      if (textOf(source, left) === textOf(source, right)) continue;
      edits.push({
        start: left.start,
        end: right.end,
        replacement: swapText(source, left, right),
        kind: "swap",
        description: `swap operands of ${code(op)}`,
        weight: 0.9,
      });
    }
  }
  return edits;
}
