import type { RetrievedLine } from "../server/core/types.js";
import { dot } from "./embedders/embedder.js";
import { isMeaningful, normaliseLine, type ExtractedFile, type FunctionRange } from "./lines.js";

/**
 * Share of the hybrid score that comes from word overlap (identifiers and numbers shared with the query); the rest
 * is cosine similarity. Small on purpose: it re-orders close vector matches, it does not override them.
 */
export const LEXICAL_WEIGHT = 0.2;

/** A candidate line from either search, before filtering and ranking. */
export interface Candidate {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly norm: string;
  /** Cosine similarity to the query vector. */
  readonly cosine: number;
}

export interface RankOptions {
  readonly topK: number;
  /** Minimum cosine similarity. */
  readonly threshold: number;
  readonly hybrid: boolean;
  /** Normalised texts that must not come back (the hunk's own lines and the query itself). */
  readonly exclude: ReadonlySet<string>;
}

const WORD = /[\p{L}\p{N}_$]+/gu;

/** Lower-cased identifier and number tokens of a line. */
export function wordsOf(text: string): Set<string> {
  return new Set((text.match(WORD) ?? []).map((w) => w.toLowerCase()));
}

/** Jaccard overlap of two token sets. */
export function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

/** A ranked line and the normalised text it was compared by. */
export interface RankedLine {
  readonly retrieved: RetrievedLine;
  readonly norm: string;
}

/**
 * Filters and ranks candidates of one scope: at or above the cosine threshold, not one of the excluded texts, one
 * line per distinct normalised text (the best-scoring), best first. With hybrid on, the score blends cosine with
 * word overlap; otherwise it is the cosine. Ties break by file and line so results are deterministic.
 */
export function rankCandidates(
  query: string,
  candidates: readonly Candidate[],
  options: RankOptions,
  scope: RetrievedLine["scope"],
  toAbsolute: (file: string) => string,
): RankedLine[] {
  const queryWords = wordsOf(query);
  const best = new Map<string, { candidate: Candidate; score: number }>();
  for (const c of candidates) {
    if (c.cosine < options.threshold || options.exclude.has(c.norm)) continue;
    const blended = options.hybrid
      ? (1 - LEXICAL_WEIGHT) * c.cosine + LEXICAL_WEIGHT * overlap(queryWords, wordsOf(c.norm))
      : c.cosine;
    const score = Math.min(1, Math.max(0, blended));
    const known = best.get(c.norm);
    if (!known || score > known.score || (score === known.score && before(c, known.candidate))) {
      best.set(c.norm, { candidate: c, score });
    }
  }
  return [...best.values()]
    .sort((a, b) => b.score - a.score || (before(a.candidate, b.candidate) ? -1 : 1))
    .slice(0, options.topK)
    .map(({ candidate, score }) => ({
      retrieved: { file: toAbsolute(candidate.file), line: candidate.line, text: candidate.text, score, scope },
      norm: candidate.norm,
    }));
}

function before(a: Candidate, b: Candidate): boolean {
  return a.file < b.file || (a.file === b.file && a.line < b.line);
}

/** What retrieval needs to know about a hunk, computed from the file's current text. */
export interface HunkQuery {
  /** The hunk's lines, comments stripped and normalised, joined into one line (MultiMend's query). */
  readonly text: string;
  /** Texts never returned: the query and each normalised hunk line. */
  readonly exclude: Set<string>;
  /** Lines of the same file that are out of scope: the enclosing function, else the hunk itself. */
  readonly excludedRange: { readonly startLine: number; readonly endLine: number };
}

/** Builds the query of a hunk, or undefined when there is nothing to retrieve for (an insertion, or no words). */
export function hunkQuery(
  analysis: ExtractedFile,
  startLine: number,
  endLine: number,
  enclosing: FunctionRange | undefined,
): HunkQuery | undefined {
  if (endLine <= startLine) return undefined;
  const hunkLines = analysis.strippedLines
    .slice(startLine, endLine)
    .map(normaliseLine)
    .filter((l) => l.length > 0);
  const text = hunkLines.join(" ");
  if (!isMeaningful(text)) return undefined;
  return {
    text,
    exclude: new Set([text, ...hunkLines]),
    excludedRange: enclosing ? { startLine: enclosing.startLine, endLine: enclosing.endLine } : { startLine, endLine },
  };
}

/** Same-file candidates scored in memory, for when the index does not hold the file's current text. */
export function inMemoryCandidates(
  file: string,
  analysis: ExtractedFile,
  vectors: Float32Array,
  dimension: number,
  queryVector: Float32Array,
  excluded: { readonly startLine: number; readonly endLine: number },
): Candidate[] {
  const out: Candidate[] = [];
  analysis.lines.forEach((l, i) => {
    if (l.line >= excluded.startLine && l.line < excluded.endLine) return;
    out.push({ file, line: l.line, text: l.text, norm: l.norm, cosine: dot(queryVector, vectors, i * dimension) });
  });
  return out;
}
