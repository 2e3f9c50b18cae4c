import { languageById, type LanguageId } from "../../grammars/languages.js";
import { withParse } from "../../grammars/parser.js";
import { enclosingFunction } from "../../grammars/syntax.js";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { generateCandidates } from "../../server/pipeline/generate/index.js";
import {
  silentLogger,
  silentProgress,
  type Candidate,
  type FailureEvidence,
  type HunkContext,
  type RetrievedLine,
} from "../../server/core/types.js";

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

const BUILTIN: Config = { ...defaultConfig(), engine: "builtin" };

/** The built-in engine's candidates for a hunk (`at` as for hunkContext; a string is the hunk's `first` line). */
export async function builtinCandidates(
  language: LanguageId,
  source: string,
  at: string | { first: string } | { insertBefore: string },
): Promise<Candidate[]> {
  const context = await hunkContext(language, source, typeof at === "string" ? { first: at } : at);
  return generateCandidates(context, NO_EVIDENCE, {
    config: BUILTIN,
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
  });
}

/** Candidates one per line with score and kind, for assertion messages. */
export function showCandidates(candidates: readonly Candidate[], limit = Infinity): string {
  return candidates
    .slice(0, limit)
    .map((c, i) => `${i}. ${c.score.toFixed(3)} ${c.editKind} ${JSON.stringify(c.text)}`)
    .join("\n");
}
