import type { FileLines } from "../../../core/line-text.js";
import type { Hunk } from "../../../core/types.js";
import type { LanguageSyntax } from "./language-syntax.js";
import type { LiteNode } from "./lite-tree.js";
import type { Scope } from "./scope.js";

/** What the line-level edits (deletions, guards, donors) read: they rewrite whole lines of the hunk. */
export interface LineInput {
  readonly source: string;
  readonly syntax: LanguageSyntax;
  readonly file: FileLines;
  readonly hunk: Hunk;
  /** The file's indentation unit. */
  readonly unit: string;
  /** Indentation of the hunk's first line, or of an insertion at the hunk's line. */
  readonly indent: string;
  /** Outermost statements lying wholly inside the hunk's lines (for an insertion: the statement that follows). */
  readonly statements: readonly LiteNode[];
  /** Simple statements (assignments, updates, calls) of the enclosing function or window: copyable statements. */
  readonly regionStatements: readonly LiteNode[];
  readonly scope: Scope;
}
