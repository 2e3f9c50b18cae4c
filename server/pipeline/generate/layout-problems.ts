import type { Node } from "web-tree-sitter";
import type { LanguageId } from "../../../grammars/languages.js";

/**
 * Layout errors tree-sitter does not report. Its Python grammar accepts an empty block (`for x in xs:` followed by
 * a dedent) and statements of one block at different indentation, both of which CPython rejects; a candidate that
 * deletes a block's only line or is indented wrongly would otherwise pass the syntax filter.
 */
export function layoutProblems(root: Node, language: LanguageId): number {
  if (language !== "python") return 0;
  let problems = 0;
  const cursor = root.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      if (type === "block" || type === "module") problems += blockProblems(cursor.currentNode, type === "module");
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return problems;
      }
    }
  } finally {
    cursor.delete();
  }
}

function blockProblems(block: Node, isModule: boolean): number {
  const statements = block.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment");
  if (statements.length === 0) return isModule ? 0 : 1;
  const column = isModule ? 0 : statements[0]!.startPosition.column;
  let problems = 0;
  let lastRow = -1;
  for (const statement of statements) {
    // Statements sharing a line (`a = 1; b = 2`) start mid-line; only a line's first statement sets its indent.
    if (statement.startPosition.row !== lastRow && statement.startPosition.column !== column) problems++;
    lastRow = statement.endPosition.row;
  }
  return problems;
}
