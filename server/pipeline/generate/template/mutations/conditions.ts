import { code, type TemplateEdit } from "../edits.js";
import type { LanguageSyntax } from "../language-syntax.js";
import { childByField, descendants, namedChildren, textOf, type LiteNode } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";
import { roleOf } from "../scope.js";

const COMPARISONS = new Set(["<", "<=", ">", ">=", "==", "!=", "===", "!==", "is", "is not", "in", "not in"]);

function operatorOf(node: LiteNode): string | undefined {
  return node.children.find((c) => !c.named)?.type;
}

function isLogical(syntax: LanguageSyntax, node: LiteNode, op?: string): boolean {
  if (!syntax.binaryParents.has(node.type)) return false;
  const actual = operatorOf(node);
  return actual === (op ?? actual) && (actual === syntax.andWord || actual === syntax.orWord);
}

/** Whether an expression can stand as an operand of `and`/`&&` without parentheses. */
function bindsTighterThanAnd(syntax: LanguageSyntax, node: LiteNode): boolean {
  if (syntax.primaryTypes.has(node.type) || syntax.notTypes.has(node.type)) return true;
  if (!syntax.binaryParents.has(node.type)) return false;
  return operatorOf(node) !== syntax.orWord && operatorOf(node) !== "??";
}

function bindsTighterThanOr(syntax: LanguageSyntax, node: LiteNode): boolean {
  return bindsTighterThanAnd(syntax, node) || isLogical(syntax, node, syntax.orWord);
}

/** The conditions of if/while/for/ternary/assert whose text lies in the hunk, with their wrappers removed. */
export function conditionsInHunk(syntax: LanguageSyntax, inHunk: readonly LiteNode[]): LiteNode[] {
  const out: LiteNode[] = [];
  for (const node of inHunk) {
    const owner = node.parent;
    const slot = owner ? syntax.conditionOwners.get(owner.type) : undefined;
    if (!owner || !slot) continue;
    const isSlot =
      slot.field !== undefined ? node.field === slot.field : namedChildren(owner)[slot.namedIndex ?? 0] === node;
    if (!isSlot) continue;
    let core: LiteNode | undefined = node;
    while (core && syntax.conditionWrappers.has(core.type)) {
      core = childByField(core, "value") ?? namedChildren(core)[0];
    }
    if (core) out.push(core);
  }
  return out;
}

/** Operands of a chain of one logical operator, e.g. [a, b, c] for `a && b && c`. */
function flatten(syntax: LanguageSyntax, node: LiteNode, op: string): LiteNode[] {
  if (!isLogical(syntax, node, op)) return [node];
  const operands = namedChildren(node);
  return operands.flatMap((child) => flatten(syntax, child, op));
}

/**
 * Names a null check could protect: objects whose members, elements or methods the condition uses, then any
 * variable of the condition.
 */
export function guardableNames(
  syntax: LanguageSyntax,
  source: string,
  root: LiteNode,
  variables: ReadonlyMap<string, unknown>,
): Array<{ readonly name: string; readonly receiver: boolean }> {
  const receivers: string[] = [];
  const others: string[] = [];
  for (const node of descendants(root)) {
    if (roleOf(syntax, node) !== "variable") continue;
    const parent = node.parent;
    const name = textOf(source, node);
    if (!variables.has(name)) continue;
    const member = parent ? syntax.memberAccess.get(parent.type) : undefined;
    const call = parent ? syntax.calls.get(parent.type) : undefined;
    const isReceiver =
      (member !== undefined && node.field === member.object) ||
      (parent !== undefined && syntax.subscripts.has(parent.type) && namedChildren(parent)[0] === node) ||
      (call?.receiver !== undefined && node.field === call.receiver);
    (isReceiver ? receivers : others).push(name);
  }
  const distinctReceivers = [...new Set(receivers)].slice(0, 2).map((name) => ({ name, receiver: true }));
  if (distinctReceivers.length > 0) return distinctReceivers;
  return others.slice(0, 1).map((name) => ({ name, receiver: false }));
}

/** Negated, dropped-conjunct and null-guarded versions of each condition in the hunk. */
export function conditionEdits(input: MutationInput): TemplateEdit[] {
  const { syntax, source, inHunk } = input;
  const edits: TemplateEdit[] = [];
  for (const condition of conditionsInHunk(syntax, inHunk)) {
    const text = textOf(source, condition);
    const push = (replacement: string, kind: "condition" | "guard", weight: number, what: string): void => {
      if (replacement === text) return;
      edits.push({
        start: condition.start,
        end: condition.end,
        replacement,
        kind,
        description: `${what}: ${code(text)} -> ${code(replacement)}`,
        weight,
      });
    };

    // Negate, or remove an existing negation. A single comparison is left to operator replacement, which
    // already proposes its complement (`<` -> `>=`).
    if (syntax.notTypes.has(condition.type) && operatorOf(condition) === syntax.notToken) {
      const operand = namedChildren(condition).at(-1);
      if (operand) push(textOf(source, operand), "condition", 0.9, "remove negation");
    } else if (!(syntax.binaryParents.has(condition.type) && COMPARISONS.has(operatorOf(condition) ?? ""))) {
      const operand = syntax.primaryTypes.has(condition.type) ? text : `(${text})`;
      push(syntax.negate(operand), "condition", 0.85, "negate condition");
    }

    // Drop one operand of an `and`/`or` chain.
    const op = operatorOf(condition);
    if (op && isLogical(syntax, condition)) {
      const operands = flatten(syntax, condition, op);
      if (operands.length >= 2) {
        operands.forEach((_, i) => {
          const kept = operands.filter((__, j) => j !== i).map((o) => textOf(source, o));
          push(kept.join(` ${op} `), "condition", 0.9, "drop condition");
        });
      }
    }

    // Strengthen with a null check: `x is None or c` / `x != null && c` and friends.
    // A name the condition dereferences is the likely culprit; any other name is a long shot.
    for (const { name, receiver } of guardableNames(syntax, source, condition, input.scope.variables)) {
      const orOperand = bindsTighterThanOr(syntax, condition) ? text : `(${text})`;
      const andOperand = bindsTighterThanAnd(syntax, condition) ? text : `(${text})`;
      const weight = receiver ? 1 : 0.55;
      push(`${syntax.isNull(name)} ${syntax.orWord} ${orOperand}`, "guard", weight, "add null check");
      push(`${syntax.isNotNull(name)} ${syntax.andWord} ${andOperand}`, "guard", weight * 0.95, "add null check");
    }

    // Expand: strengthen with `and b`, weaken with `or b`, b an in-scope boolean expression used nearby.
    const orOperand = bindsTighterThanOr(syntax, condition) ? text : `(${text})`;
    const andOperand = bindsTighterThanAnd(syntax, condition) ? text : `(${text})`;
    for (const { text: extra, weight } of booleanOperands(input, condition, text)) {
      const extraAnd = /\s(or|\|\|)\s/.test(extra) ? `(${extra})` : extra;
      push(`${andOperand} ${syntax.andWord} ${extraAnd}`, "condition", weight, "strengthen condition");
      push(`${orOperand} ${syntax.orWord} ${extraAnd}`, "condition", weight * 0.9, "weaken condition");
    }
    // An empty-sequence guard for a sequence the condition indexes or iterates: `not seq or c`.
    for (const name of sequencesIn(input, condition)) {
      const empty = input.language === "python" ? `not ${name}` : emptyTest(input, name);
      if (empty) push(`${empty} ${syntax.orWord} ${orOperand}`, "guard", 0.6, "add empty check");
    }
  }
  return edits;
}

const MAX_EXPANSIONS = 3;

/** Boolean expressions to join a condition with: comparisons made elsewhere in the function, boolean names. */
function booleanOperands(
  input: MutationInput,
  condition: LiteNode,
  text: string,
): Array<{ text: string; weight: number }> {
  const { scope, source } = input;
  const own = textOf(source, condition);
  const out: Array<{ text: string; weight: number }> = [];
  for (const comparison of scope.comparisons) {
    if (own.includes(comparison.text) || comparison.text.includes(text)) continue;
    out.push({ text: comparison.text, weight: 0.5 + 0.3 / (1 + Math.abs(comparison.row - condition.startRow) / 8) });
  }
  for (const [name, uses] of scope.uses) {
    if (!uses.has("boolean") || !scope.variables.has(name) || new RegExp(`\\b${name}\\b`).test(own)) continue;
    out.push({ text: name, weight: 0.55 });
  }
  return out.sort((a, b) => b.weight - a.weight || a.text.localeCompare(b.text)).slice(0, MAX_EXPANSIONS);
}

/** Sequences the condition subscripts (`xs[i]`), whose emptiness a guard may test first. */
function sequencesIn(input: MutationInput, condition: LiteNode): string[] {
  const { syntax, source, scope } = input;
  const names = new Set<string>();
  for (const node of descendants(condition)) {
    if (!syntax.subscripts.has(node.type)) continue;
    const object = namedChildren(node)[0];
    const name = object ? textOf(source, object) : "";
    if (scope.variables.has(name)) names.add(name);
  }
  return [...names].slice(0, 1);
}

function emptyTest(input: MutationInput, name: string): string | undefined {
  const length = input.syntax.lengthOf?.(name);
  return length ? `${length} == 0` : undefined;
}
