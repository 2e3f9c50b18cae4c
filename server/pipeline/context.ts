import { languageForPath } from "../../grammars/languages.js";
import { enclosingFunction } from "../../grammars/syntax.js";
import { splitFile, splitLinesKeepEnds } from "../core/line-text.js";
import { withSharedParse } from "./generate/parse-cache.js";
import {
  type EnclosingFunction,
  type Hunk,
  type HunkContext,
  type Logger,
  type RetrievedLine,
  type Retriever,
  moduleLogger,
} from "../core/types.js";
import { errorMessage } from "../core/error-message.js";

/** Lines either side of the hunk used as the "enclosing function" at top level (MultiMend's fallback window). */
const WINDOW_LINES = 3;

/** The hunk's lines joined with "\n", without their terminators (the generator's `buggyText`). */
export function hunkText(fileText: string, hunk: Hunk): string {
  return splitFile(fileText).lines.slice(hunk.startLine, hunk.endLine).join("\n");
}

async function enclosing(
  fileText: string,
  hunk: Hunk,
  language: HunkContext["language"],
): Promise<EnclosingFunction | undefined> {
  // The shared parse is the one the generator reuses for the same text right after.
  const fn = await withSharedParse(fileText, language, (parsed) => enclosingFunction(parsed, hunk));
  if (fn) return { name: fn.name, startLine: fn.startLine, endLine: fn.endLine, text: fn.text };
  // At top level the paper falls back to a window of lines around the hunk.
  const lines = splitLinesKeepEnds(fileText);
  const startLine = Math.max(0, hunk.startLine - WINDOW_LINES);
  const endLine = Math.min(lines.length, Math.max(hunk.endLine, hunk.startLine + 1) + WINDOW_LINES);
  return { name: undefined, startLine, endLine, text: lines.slice(startLine, endLine).join("").replace(/\n$/, "") };
}

async function retrieve(
  retriever: Retriever | undefined,
  hunk: Hunk,
  fileText: string,
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<RetrievedLine[]> {
  // MultiMend retrieves nothing for a pure insertion: there is no buggy line to query with.
  if (!retriever || hunk.startLine === hunk.endLine) return [];
  try {
    return await retriever.retrieveForHunk(hunk, fileText, signal ? { signal } : {});
  } catch (error) {
    moduleLogger(logger, "repair").debug(`retrieval failed for ${hunk.file}: ${errorMessage(error)}`);
    return [];
  }
}

/**
 * Everything a generator needs for one hunk: the file's current text (overlay or disk), the buggy lines, the
 * enclosing function from tree-sitter, and related lines from the index when a retriever is available.
 * Undefined for files of languages outside the grammar table.
 */
export async function buildHunkContext(
  hunk: Hunk,
  fileText: string,
  retriever: Retriever | undefined,
  logger: Logger,
  signal?: AbortSignal,
): Promise<HunkContext | undefined> {
  const language = languageForPath(hunk.file)?.id;
  if (!language) return undefined;
  const [enclosingFunction, retrieved] = await Promise.all([
    enclosing(fileText, hunk, language),
    retrieve(retriever, hunk, fileText, logger, signal),
  ]);
  return {
    hunk,
    language,
    fileText,
    buggyText: hunkText(fileText, hunk),
    enclosingFunction,
    retrieved,
  };
}
