import type { CommentSyntax } from "../grammars/languages.js";

/** A half-open range [start, end) of string indices. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Comment spans found lexically from the language's comment syntax, skipping string literals ('…', "…", `…`, with
 * backslash escapes, and Python's triple quotes). This is the fallback when a language's tree-sitter query is not
 * available; it is right for ordinary code but does not know every literal form (raw strings, regex literals).
 */
export function lexicalCommentSpans(text: string, syntax: CommentSyntax): TextSpan[] {
  const spans: TextSpan[] = [];
  const line = syntax.line;
  const [blockOpen, blockClose] = syntax.block ?? ["", ""];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (line && text.startsWith(line, i)) {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      spans.push({ start: i, end: stop });
      i = stop;
    } else if (blockOpen && text.startsWith(blockOpen, i)) {
      const close = text.indexOf(blockClose, i + blockOpen.length);
      const stop = close === -1 ? text.length : close + blockClose.length;
      spans.push({ start: i, end: stop });
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      i = skipString(text, i, c);
    } else {
      i++;
    }
  }
  return spans;
}

/** The index just past the string literal opening at `start`. */
function skipString(text: string, start: number, quote: string): number {
  const triple = quote.repeat(3);
  if (quote !== "`" && text.startsWith(triple, start)) {
    const close = text.indexOf(triple, start + 3);
    return close === -1 ? text.length : close + 3;
  }
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === quote) return i + 1;
    // An unterminated single-line string ends at the line break; template literals may span lines.
    else if (c === "\n" && quote !== "`") return i;
    else i++;
  }
  return text.length;
}

/**
 * The text with every span blanked: a span's characters become one space (so `a/*x*\/b` does not glue `a` and `b`)
 * and its line breaks are kept, so line numbers do not move.
 */
export function blankSpans(text: string, spans: readonly TextSpan[]): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const pieces: string[] = [];
  let cursor = 0;
  for (const span of sorted) {
    if (span.end <= cursor) continue;
    const start = Math.max(span.start, cursor);
    pieces.push(text.slice(cursor, start), " ");
    for (let i = start; i < span.end; i++) if (text.charCodeAt(i) === 10) pieces.push("\n");
    cursor = span.end;
  }
  pieces.push(text.slice(cursor));
  return pieces.join("");
}
