import { languageById, type LanguageId } from "../../grammars/languages.js";
import { withParse } from "../../grammars/parser.js";
import { enclosingFunction } from "../../grammars/syntax.js";
import type { FailureEvidence, HunkContext, RetrievedLine } from "../../server/pipeline/types.js";

export const NO_EVIDENCE: FailureEvidence = { failingTests: [], diagnostics: [] };

/** The 0-based line that contains `piece`, which must name exactly one line of the source. */
export function lineContaining(source: string, piece: string): number {
  const lines = source.split("\n");
  const hits = lines.flatMap((l, i) => (l.includes(piece) ? [i] : []));
  if (hits.length !== 1) throw new Error(`"${piece}" names ${hits.length} lines, not one`);
  return hits[0]!;
}

/**
 * A HunkContext as the engine builds it: the hunk is the line holding `first` (through the line holding `last`,
 * if given); `insertBefore` makes an empty hunk at that line instead.
 */
export async function hunkContext(
  language: LanguageId,
  source: string,
  at: { first: string; last?: string } | { insertBefore: string },
  retrieved: readonly RetrievedLine[] = [],
): Promise<HunkContext> {
  const startLine = "insertBefore" in at ? lineContaining(source, at.insertBefore) : lineContaining(source, at.first);
  const endLine =
    "insertBefore" in at ? startLine : (at.last !== undefined ? lineContaining(source, at.last) : startLine) + 1;
  const file = `/work/project/example${languageById(language).extensions[0]}`;
  const lines = source.split("\n");
  const fn = await withParse(source, language, (parsed) =>
    enclosingFunction(parsed, { startLine, endLine: Math.max(endLine, startLine + 1) }),
  );
  return {
    hunk: { file, startLine, endLine },
    language,
    fileText: source,
    buggyText: lines.slice(startLine, endLine).join("\n"),
    enclosingFunction: fn && { name: fn.name, startLine: fn.startLine, endLine: fn.endLine, text: fn.text },
    retrieved,
  };
}
