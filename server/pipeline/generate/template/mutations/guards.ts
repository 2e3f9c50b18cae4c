import { code, type TemplateLines } from "../edits.js";
import type { LineInput } from "../line-input.js";
import { ancestors, type LiteNode } from "../lite-tree.js";
import { guardableNames } from "./conditions.js";

const MAX_GUARDED_NAMES = 2;
const MAX_RETURN_VALUES = 2;

function isDeclaration(node: LiteNode): boolean {
  // Wrapping a declaration in a guard would hide the declared name from the code after it.
  return /declaration|let_declaration|short_var/.test(node.type);
}

/** `return`, `return v` choices for an early exit, from what the function already returns. */
function earlyExits(input: LineInput, insideLoop: boolean): Array<[string, number]> {
  const { syntax, scope } = input;
  const exits: Array<[string, number]> = [];
  const values = [...new Set(scope.returnValues)].filter((v) => !v.includes("\n") && v.length <= 40);
  if (scope.hasBareReturn || values.length === 0) exits.push([`return${syntax.terminator}`, 1]);
  const literalFirst = values.sort((a, b) => Number(/^\w+$/.test(b)) - Number(/^\w+$/.test(a)));
  for (const value of literalFirst.slice(0, MAX_RETURN_VALUES))
    exits.push([`return ${value}${syntax.terminator}`, 0.9]);
  if (values.length > 0 && !values.includes(syntax.nullWord)) {
    exits.push([`return ${syntax.nullWord}${syntax.terminator}`, 0.6]);
  }
  if (insideLoop) exits.push([`continue${syntax.terminator}`, 0.8]);
  return exits;
}

/**
 * Null checks as whole lines. For a one-statement hunk: the statement wrapped in `if x is not None:` /
 * `if (x != null)`. For an insertion: an early exit (`if x is None: return ...`) before the statement that
 * follows, for each object that statement dereferences.
 */
export function guardEdits(input: LineInput): TemplateLines[] {
  const { source, syntax, file, hunk, unit, indent, statements } = input;
  const out: TemplateLines[] = [];
  const statement = statements[0];
  if (!statement) return out;
  // Only names the statement dereferences: a guard on any other name is noise.
  const names = guardableNames(syntax, source, statement, input.scope.variables)
    .filter((g) => g.receiver)
    .slice(0, MAX_GUARDED_NAMES)
    .map((g) => g.name);
  if (hunk.endLine > hunk.startLine) {
    if (statements.length !== 1 || isDeclaration(statement)) return out;
    const body = file.lines
      .slice(hunk.startLine, hunk.endLine)
      .map((l) => l.slice(Math.min(indent.length, l.search(/\S|$/))));
    for (const name of names) {
      out.push({
        text: syntax.ifLines(syntax.isNotNull(name), body, indent, unit).join("\n"),
        kind: "guard",
        description: `only when ${code(syntax.isNotNull(name))}`,
        weight: 0.8,
      });
    }
    return out;
  }
  const insideLoop = ancestors(statement).some((a) => syntax.loopTypes.has(a.type));
  for (const name of names) {
    for (const [exit, weight] of earlyExits(input, insideLoop)) {
      out.push({
        text: syntax.ifLines(syntax.isNull(name), [exit], indent, unit).join("\n"),
        kind: "guard",
        description: `${code(exit)} when ${code(syntax.isNull(name))}`,
        weight: weight * 0.85,
      });
    }
  }
  return out;
}
