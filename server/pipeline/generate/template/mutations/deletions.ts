import { offsetInHunkText } from "../../hunk-text.js";
import { code, type TemplateLines } from "../edits.js";
import type { LineInput } from "../line-input.js";
import { isCommentType, textOf, type LiteNode } from "../lite-tree.js";

/** Whether removing these statements leaves their block with no statement at all. */
function emptiesBlock(statements: readonly LiteNode[]): boolean {
  const first = statements[0];
  const block = first?.parent;
  if (!first || !block || block.partial) return false;
  const own = new Set(statements);
  return block.children.every((c) => !c.named || isCommentType(c.type) || own.has(c));
}

/**
 * The whole hunk deleted (the empty candidate every generator keeps), and, for hunks with several statements,
 * each statement deleted on its own. In a language where a block cannot be empty (Python), deleting a block's
 * only statements writes the language's empty statement instead.
 */
export function deletionEdits(input: LineInput): TemplateLines[] {
  const { source, syntax, file, hunk, statements, indent } = input;
  if (hunk.endLine <= hunk.startLine) return [];
  const out: TemplateLines[] = [];
  const whole =
    syntax.emptyStatement !== undefined && statements.length > 0 && emptiesBlock(statements)
      ? `${indent}${syntax.emptyStatement}`
      : "";
  out.push({ text: whole, kind: "delete", description: "delete the lines", weight: 1 });

  if (statements.length < 2) return out;
  const lines = file.lines.slice(hunk.startLine, hunk.endLine);
  for (const statement of statements) {
    const sharesRows = statements.some(
      (s) => s !== statement && s.startRow <= statement.endRow && statement.startRow <= s.endRow,
    );
    let kept: string[];
    if (!sharesRows) {
      kept = lines.filter((_, i) => {
        const row = hunk.startLine + i;
        return row < statement.startRow || row > statement.endRow;
      });
    } else {
      // Statements sharing a line: cut the statement's own text out of that line.
      const hunkText = lines.join("\n");
      const from = offsetInHunkText(file, hunk.startLine, statement.start);
      let to = offsetInHunkText(file, hunk.startLine, statement.end);
      while (to < hunkText.length && hunkText[to] === " ") to++;
      kept = (hunkText.slice(0, from) + hunkText.slice(to)).split("\n");
    }
    out.push({
      text: kept.join("\n"),
      kind: "delete",
      description: `delete ${code(textOf(source, statement))}`,
      weight: 0.85,
    });
  }
  return out;
}
