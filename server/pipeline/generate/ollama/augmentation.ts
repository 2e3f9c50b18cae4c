import { basename } from "node:path";
import type { CommentSyntax } from "../../../../grammars/languages.js";
import type { FailureEvidence, RetrievedLine } from "../../../core/types.js";
import { maskSecretLines } from "../../../security/secrets.js";

/**
 * The evidence both prompt styles show the model: failing tests with their messages, diagnostics, and the lines
 * retrieved from the workspace (MultiMend's augmentation). Each item is kept short; the caller fits the whole
 * into its budget.
 */
export const MAX_FAILURES = 3;
export const MAX_MESSAGE_CHARS = 300;
export const MAX_RETRIEVED = 5;

/** Characters per token used to size prompts; code averages 3.5-4, so 3 errs on the side of fitting. */
export const CHARS_PER_TOKEN = 3;

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+\n/g, "\n").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

/**
 * A test's failure message as a prompt may show it: clipped, and with credential-looking lines emptied (an
 * assertion message can print a token the test compared).
 */
export function promptMessage(message: string, maxChars = MAX_MESSAGE_CHARS): string {
  return clip(maskSecretLines(message), maxChars);
}

export function failureLines(evidence: FailureEvidence): string[] {
  const out: string[] = [];
  for (const failure of evidence.failingTests.slice(0, MAX_FAILURES)) {
    const message = promptMessage(failure.message).split("\n").slice(0, 4);
    out.push(`Failing test ${failure.name}:`, ...message.map((l) => `  ${l}`));
  }
  for (const diagnostic of evidence.diagnostics.slice(0, MAX_FAILURES)) {
    out.push(
      `${diagnostic.source ?? "Diagnostic"} at line ${diagnostic.line + 1}: ${promptMessage(diagnostic.message)}`,
    );
  }
  return out;
}

export function retrievedLines(retrieved: readonly RetrievedLine[]): string[] {
  return retrieved.slice(0, MAX_RETRIEVED).map((r) => `${r.text.trim()}    (${basename(r.file)}:${r.line + 1})`);
}

/** Turns lines into comments of the file's language, so the augmentation is harmless code in the prefix. */
export function asComments(lines: readonly string[], comments: CommentSyntax): string[] {
  if (comments.line) return lines.map((l) => `${comments.line} ${l}`.trimEnd());
  const [open, close] = comments.block ?? ["/*", "*/"];
  return [open, ...lines.map((l) => ` ${l.replaceAll(close, "")}`), close];
}

/** Keeps the last lines of a text (those closest to a hunk below it) within a character budget. */
export function tailWithin(lines: readonly string[], budget: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    used += lines[i]!.length + 1;
    if (used > budget) break;
    out.unshift(lines[i]!);
  }
  return out;
}

/** Keeps the first lines of a text (those closest to a hunk above it) within a character budget. */
export function headWithin(lines: readonly string[], budget: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const line of lines) {
    used += line.length + 1;
    if (used > budget) break;
    out.push(line);
  }
  return out;
}
