import type { LanguageId } from "../../../../grammars/languages.js";
import type { LanguageSyntax } from "./language-syntax.js";
import type { LiteNode } from "./lite-tree.js";
import type { Scope } from "./scope.js";

/** What every mutation reads: the file, the grammar table, the nodes inside the hunk and the names around it. */
export interface MutationInput {
  readonly language: LanguageId;
  readonly source: string;
  readonly syntax: LanguageSyntax;
  /** Nodes lying wholly inside the hunk's lines, in document order. */
  readonly inHunk: readonly LiteNode[];
  readonly scope: Scope;
  /** Call names used in the lines around the enclosing function, with counts. */
  readonly nearby: { readonly callees: ReadonlyMap<string, number>; readonly methods: ReadonlyMap<string, number> };
  /** First line of the hunk (0-based). */
  readonly hunkRow: number;
}
