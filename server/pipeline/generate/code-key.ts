import type { LanguageId } from "../../../grammars/languages.js";
import { leadingWhitespace } from "./indentation.js";
import { normaliseWhitespace } from "./hunk-text.js";

/** Languages whose blocks are their indentation: there, a changed indentation is a different program. */
export const INDENTATION_SENSITIVE: ReadonlySet<LanguageId> = new Set<LanguageId>(["python"]);

/**
 * What makes two pieces of code the same for de-duplication: whitespace collapsed, and in indentation-sensitive
 * languages each line's leading whitespace kept, so that an indentation-only fix is never taken for the buggy code.
 */
export function codeKey(text: string, language: LanguageId): string {
  if (!INDENTATION_SENSITIVE.has(language)) return normaliseWhitespace(text);
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => leadingWhitespace(l) + normaliseWhitespace(l))
    .join("\n");
}
