import { code, type TemplateEdit } from "../edits.js";
import { namedChildren, textOf } from "../lite-tree.js";
import type { MutationInput } from "../mutation-input.js";

const OTHER_RETURNS = 4;

/**
 * A changed returned value: another value the same function returns elsewhere (the commonest fix of this kind),
 * or the language's null. A bare `return` gets the function's other returned values.
 */
export function returnEdits(input: MutationInput): TemplateEdit[] {
  const { syntax, source, inHunk, scope } = input;
  const edits: TemplateEdit[] = [];
  for (const node of inHunk) {
    if (!syntax.returnTypes.has(node.type)) continue;
    const value = namedChildren(node)[0];
    const current = value ? textOf(source, value) : "";
    const others = [...new Set(scope.returnValues)].filter((v) => v !== current && !v.includes("\n"));
    const alternatives: Array<[string, number]> = others.slice(0, OTHER_RETURNS).map((v, i) => [v, 0.85 - i * 0.05]);
    if (value && current !== syntax.nullWord && !others.includes(syntax.nullWord)) {
      alternatives.push([syntax.nullWord, 0.4]);
    }
    for (const [alternative, weight] of alternatives) {
      if (value) {
        edits.push({
          start: value.start,
          end: value.end,
          replacement: alternative,
          kind: "return",
          description: `return ${code(alternative)} instead of ${code(current)}`,
          weight,
        });
      } else {
        // `return` -> `return v`: insert the value after the keyword.
        const keyword = node.children[0];
        if (!keyword) continue;
        edits.push({
          start: keyword.end,
          end: keyword.end,
          replacement: ` ${alternative}`,
          kind: "return",
          description: `return ${code(alternative)}`,
          weight: weight * 0.8,
        });
      }
    }
  }
  return edits;
}
