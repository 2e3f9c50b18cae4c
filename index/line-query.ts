import { readFile } from "node:fs/promises";
import { Query } from "web-tree-sitter";
import type { LanguageId } from "../grammars/languages.js";
import { loadLanguage, queryFileFor } from "../grammars/parser.js";

/**
 * A per-language query holding only the @function (+ @function.name) and @comment patterns of the language's
 * query file. Indexing needs nothing else, and leaving out @identifier and @statement (which match most nodes of a
 * file) makes the one query pass per file several times cheaper than running the full query.
 */
const cache = new Map<LanguageId, Promise<Query | undefined>>();

/** Capture kinds the index reads; every other capture is switched off. */
const WANTED = /@(function|comment)\b/;
const UNWANTED_CAPTURES = ["statement", "identifier", "string"] as const;

async function build(id: LanguageId): Promise<Query> {
  const language = await loadLanguage(id);
  const source = await readFile(queryFileFor(id), "utf8");
  const query = new Query(language, source);
  // Pattern offsets are byte offsets into the source, so slice the UTF-8 bytes rather than the string.
  const bytes = Buffer.from(source, "utf8");
  for (let i = 0; i < query.patternCount(); i++) {
    const pattern = bytes.subarray(query.startIndexForPattern(i), query.endIndexForPattern(i)).toString("utf8");
    if (!WANTED.test(pattern)) query.disablePattern(i);
  }
  for (const name of UNWANTED_CAPTURES) if (query.captureNames.includes(name)) query.disableCapture(name);
  return query;
}

/**
 * The function-and-comment query of a language, or undefined when its query file is missing or does not compile
 * (the caller then falls back to lexical comment stripping). The outcome is cached either way; `onFailure` is told
 * the reason once.
 */
export function lineQueryFor(id: LanguageId, onFailure: (error: unknown) => void): Promise<Query | undefined> {
  let pending = cache.get(id);
  if (!pending) {
    pending = build(id).catch((error: unknown) => {
      onFailure(error);
      return undefined;
    });
    cache.set(id, pending);
  }
  return pending;
}
