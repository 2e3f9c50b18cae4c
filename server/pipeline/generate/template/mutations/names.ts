import { code, type TemplateEdit } from "../edits.js";
import { textOf } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";
import { argumentsOf, callOfMethodName, proximity, roleOf, type NameStats } from "../scope.js";

/** Names that are each other's usual mix-up, whatever the language: `min` for `max`, `startsWith` for `endsWith`. */
const SIBLING_NAMES: ReadonlyArray<readonly [string, string]> = [
  ["min", "max"],
  ["fmin", "fmax"],
  ["floor", "ceil"],
  ["startswith", "endswith"],
  ["startsWith", "endsWith"],
  ["lower", "upper"],
  ["toLowerCase", "toUpperCase"],
  ["push", "unshift"],
  ["pop", "shift"],
  ["append", "extend"],
  ["indexOf", "lastIndexOf"],
  ["find", "rfind"],
  ["index", "rindex"],
  ["lstrip", "rstrip"],
  ["trimStart", "trimEnd"],
  ["first", "last"],
  ["any", "all"],
  ["some", "every"],
  ["keys", "values"],
  ["add", "remove"],
  ["min_by_key", "max_by_key"],
  ["Min", "Max"],
  ["isEmpty", "isBlank"],
  ["insert", "append"],
  ["front", "back"],
  ["begin", "end"],
];

const SIBLINGS = new Map<string, string[]>();
for (const [a, b] of SIBLING_NAMES) {
  SIBLINGS.set(a, [...(SIBLINGS.get(a) ?? []), b]);
  SIBLINGS.set(b, [...(SIBLINGS.get(b) ?? []), a]);
}

const PER_SITE = 5;

/** Closeness in (0, 1]: 1 for a name used on the same line, decaying with distance. */
function closeness(stats: NameStats | undefined, row: number): number {
  if (!stats) return 0.3;
  return 1 / (1 + proximity(stats, row) / 6);
}

interface Alternative {
  readonly name: string;
  readonly weight: number;
}

function best(alternatives: Alternative[], limit: number): Alternative[] {
  const byName = new Map<string, Alternative>();
  for (const alt of alternatives) {
    const seen = byName.get(alt.name);
    if (!seen || seen.weight < alt.weight) byName.set(alt.name, alt);
  }
  return [...byName.values()].sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name)).slice(0, limit);
}

/**
 * A wrong variable or field replaced by another of the same role used in the enclosing function, and a wrong
 * callee or method replaced by one called nearby (same number of arguments preferred) or by its usual sibling.
 */
export function nameEdits(input: MutationInput): TemplateEdit[] {
  const { syntax, source, inHunk, scope, nearby } = input;
  const edits: TemplateEdit[] = [];
  for (const node of inHunk) {
    const role = roleOf(syntax, node);
    if (role === undefined || role === "declaration" || role === "parameter") continue;
    const name = textOf(source, node);
    // A variable-like name outside the pool is a module, package or class used as a receiver: leave it.
    if (role === "variable" && (syntax.keywords.has(name) || !scope.variables.has(name))) continue;
    const alternatives: Alternative[] = [];
    if (role === "variable" || role === "property") {
      const pool = role === "variable" ? scope.variables : scope.properties;
      for (const [other, stats] of pool) {
        if (other === name || syntax.keywords.has(other)) continue;
        alternatives.push({ name: other, weight: 0.5 + 0.5 * closeness(stats, node.startRow) });
      }
    } else {
      const call = role === "callee" ? node.parent : callOfMethodName(syntax, node);
      const arity = call ? argumentsOf(syntax, call).length : -1;
      const own = role === "callee" ? scope.callees : scope.methods;
      const around = role === "callee" ? nearby.callees : nearby.methods;
      for (const sibling of SIBLINGS.get(name) ?? []) alternatives.push({ name: sibling, weight: 1 });
      for (const [other, stats] of own) {
        if (other === name) continue;
        const arityFit = stats.arities.has(arity) ? 0.85 : 0.55;
        alternatives.push({ name: other, weight: arityFit * (0.6 + 0.4 * closeness(stats, node.startRow)) });
      }
      for (const [other, count] of around) {
        if (other === name || own.has(other)) continue;
        alternatives.push({ name: other, weight: 0.45 + Math.min(0.15, count * 0.03) });
      }
    }
    for (const alt of best(alternatives, PER_SITE)) {
      edits.push({
        start: node.start,
        end: node.end,
        replacement: alt.name,
        kind: role === "variable" || role === "property" ? "identifier" : "callee",
        description: `${code(name)} -> ${code(alt.name)}`,
        weight: alt.weight,
      });
    }
  }
  return edits;
}
