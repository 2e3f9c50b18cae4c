import { code, type TemplateLines } from "../edits.js";
import type { LineInput } from "../line-input.js";
import type { LanguageSyntax } from "../language-syntax.js";
import { ancestors, childByField, descendants, namedChildren, textOf, type LiteNode } from "../lite-tree.js";
import type { Scope } from "../scope.js";
import { guardableNames } from "./conditions.js";

const MAX_GUARDED_NAMES = 2;
const MAX_RETURN_VALUES = 2;
const MAX_BOUNDED_SUBSCRIPTS = 2;
const MAX_INDEX_CHARS = 30;
/** Index names that say they count positions (`i`, `idx`, `pos`, `startIndex`). */
const INDEX_NAME = /^([ijkn]|idx|index|pos|position|offset|[A-Za-z_]+(Index|_index|Idx|_idx|Pos|_pos))$/;

/** A subscript `a[i]` whose index looks positional, as a bounds check reads it: the sequence and the index. */
interface Subscript {
  readonly sequence: string;
  readonly index: string;
}

function indexOf(syntax: LanguageSyntax, node: LiteNode): LiteNode | undefined {
  const field = syntax.subscripts.get(node.type);
  let index = field !== undefined ? childByField(node, field) : namedChildren(node).at(-1);
  // C++ writes the index inside a subscript_argument_list.
  if (index && syntax.boundContainers.has(index.type)) {
    const inner = namedChildren(index);
    index = inner.length === 1 ? inner[0] : undefined;
  }
  return index;
}

/**
 * Subscripts of the statement a bounds check could protect: a plain in-scope sequence indexed by a literal, an
 * arithmetic expression or a name used as a counter. Dictionary-like lookups by a key name are left alone.
 */
function positionalSubscripts(syntax: LanguageSyntax, source: string, root: LiteNode, scope: Scope): Subscript[] {
  const out: Subscript[] = [];
  const seen = new Set<string>();
  for (const node of descendants(root)) {
    if (!syntax.subscripts.has(node.type)) continue;
    const object = namedChildren(node)[0];
    const index = indexOf(syntax, node);
    if (!object || !index || index === object || syntax.boundContainers.has(index.type)) continue;
    const sequence = textOf(source, object);
    const indexText = textOf(source, index);
    if (!scope.variables.has(sequence) || indexText.includes("\n") || indexText.length > MAX_INDEX_CHARS) continue;
    const uses = scope.uses.get(indexText);
    const positional =
      syntax.integerLiterals.has(index.type) ||
      syntax.binaryParents.has(index.type) ||
      INDEX_NAME.test(indexText) ||
      uses?.has("arithmetic") === true ||
      uses?.has("compared") === true;
    const key = `${sequence}[${indexText}]`;
    if (!positional || seen.has(key)) continue;
    seen.add(key);
    out.push({ sequence, index: indexText });
  }
  return out.slice(0, MAX_BOUNDED_SUBSCRIPTS);
}

/** `i >= len(a)` (out of range) and `i < len(a)` (in range), parenthesising a compound index. */
function boundsTests(syntax: LanguageSyntax, subscript: Subscript): { outside: string; inside: string } | undefined {
  const length = syntax.lengthOf?.(subscript.sequence);
  if (!length) return undefined;
  const index = /^[\w.]+$/.test(subscript.index) ? subscript.index : `(${subscript.index})`;
  return { outside: `${index} >= ${length}`, inside: `${index} < ${length}` };
}

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
 * Null and bounds checks as whole lines (the security-fix families of vulnerability-repair studies: a missing
 * null check before a dereference, a missing bounds check before indexing). For a one-statement hunk: the
 * statement wrapped in `if x is not None:` / `if (i < a.length)`, or an early exit placed before it. For an
 * insertion: an early exit (`if x is None: return ...`, `if i >= len(a): return ...`) before the statement that
 * follows, for each object that statement dereferences or indexes.
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
  const bounds = positionalSubscripts(syntax, source, statement, input.scope)
    .map((s) => boundsTests(syntax, s))
    .filter((b): b is { outside: string; inside: string } => b !== undefined);
  const insideLoop = ancestors(statement).some((a) => syntax.loopTypes.has(a.type));
  const exits = earlyExits(input, insideLoop);
  const checks: Array<{ absent: string; present: string; what: string; weight: number }> = [
    ...names.map((name) => ({
      absent: syntax.isNull(name),
      present: syntax.isNotNull(name),
      what: "guard",
      weight: 1,
    })),
    ...bounds.map((b) => ({ absent: b.outside, present: b.inside, what: "bounds", weight: 0.9 })),
  ];
  const kindOf = (what: string): TemplateLines["kind"] => (what === "bounds" ? "bounds" : "guard");

  if (hunk.endLine > hunk.startLine) {
    if (statements.length !== 1) return out;
    const hunkLines = file.lines.slice(hunk.startLine, hunk.endLine);
    const body = hunkLines.map((l) => l.slice(Math.min(indent.length, l.search(/\S|$/))));
    for (const check of checks) {
      // Wrapping a declaration in a guard would hide the declared name from the code after it.
      if (!isDeclaration(statement)) {
        out.push({
          text: syntax.ifLines(check.present, body, indent, unit).join("\n"),
          kind: kindOf(check.what),
          description: `only when ${code(check.present)}`,
          weight: 0.8 * check.weight,
        });
      }
      for (const [exit, weight] of exits) {
        out.push({
          text: [...syntax.ifLines(check.absent, [exit], indent, unit), ...hunkLines].join("\n"),
          kind: kindOf(check.what),
          description: `${code(exit)} when ${code(check.absent)}`,
          weight: weight * 0.7 * check.weight,
        });
      }
    }
    return out;
  }
  for (const check of checks) {
    for (const [exit, weight] of exits) {
      out.push({
        text: syntax.ifLines(check.absent, [exit], indent, unit).join("\n"),
        kind: kindOf(check.what),
        description: `${code(exit)} when ${code(check.absent)}`,
        weight: weight * 0.85 * check.weight,
      });
    }
  }
  return out;
}
