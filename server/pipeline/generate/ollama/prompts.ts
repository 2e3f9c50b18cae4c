import { languageById } from "../../../../grammars/languages.js";
import { isSecretLine, maskSecretLines } from "../../../security/secrets.js";
import type { FailureEvidence, HunkContext } from "../../../core/types.js";
import { splitFile } from "../../../core/line-text.js";
import { detectIndentUnit, hunkIndent } from "../indentation.js";
import { asComments, CHARS_PER_TOKEN, failureLines, headWithin, retrievedLines, tailWithin } from "./augmentation.js";

/** Share of the prompt budget the augmentation comment may take in fill-in-the-middle mode. */
const AUGMENTATION_SHARE = 0.3;
/** Share of the code budget given to the suffix when both sides have more code than fits. */
const SUFFIX_SHARE = 0.3;
/** Lines around the hunk shown in chat mode when no function encloses it. */
const CHAT_WINDOW_LINES = 10;

export interface FimPrompt {
  readonly prefix: string;
  readonly suffix: string;
  /** File lines before the hunk that made it into the prefix (the parser uses them to trim echoes). */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface ChatPrompt {
  readonly messages: ReadonlyArray<{ role: "system" | "user"; content: string }>;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** Marker comments around the buggy lines in chat prompts; the parser looks for them in echoed answers. */
export const BUG_START = "BUG START";
export const BUG_END = "BUG END";
export const MISSING_CODE = "MISSING CODE HERE";

/** The `<lang>` tag of fenced blocks for each language. */
export function fenceTag(language: HunkContext["language"]): string {
  return language;
}

function sizeOf(lines: readonly string[]): number {
  return lines.reduce((n, l) => n + l.length + 1, 0);
}

function hunkEnd(context: HunkContext): number {
  return Math.max(context.hunk.startLine, context.hunk.endLine);
}

/** The context with every line that looks like a credential masked or dropped: prompts may leave the machine. */
function withoutSecrets(context: HunkContext): HunkContext {
  const fn = context.enclosingFunction;
  return {
    ...context,
    fileText: maskSecretLines(context.fileText),
    buggyText: maskSecretLines(context.buggyText),
    enclosingFunction: fn && { ...fn, text: maskSecretLines(fn.text) },
    retrieved: context.retrieved.filter((r) => !isSecretLine(r.text)),
  };
}

/**
 * Fill-in-the-middle: prefix = code before the hunk, suffix = code after it; the buggy lines, the failing tests
 * and the retrieved lines go in a comment block right above the hole (MultiMend's augmentation, in the file's own
 * comment syntax so the prefix stays valid code). The code nearest the hunk is kept when the file exceeds the
 * budget.
 */
export function buildFimPrompt(original: HunkContext, evidence: FailureEvidence, budgetTokens: number): FimPrompt {
  const context = withoutSecrets(original);
  const file = splitFile(context.fileText);
  const language = languageById(context.language);
  const end = hunkEnd(context);
  const budget = Math.max(200, budgetTokens * CHARS_PER_TOKEN);

  const notes: string[] = [`${language.name} code with a bug; the lines below this comment are the fix to write.`];
  const buggy = file.lines.slice(context.hunk.startLine, end);
  if (buggy.length > 0)
    notes.push(`Buggy lines replaced by the fix (line ${context.hunk.startLine + 1}):`, ...buggy.map((l) => `  ${l}`));
  else notes.push(`Code is missing at line ${context.hunk.startLine + 1}.`);
  notes.push(...failureLines(evidence));
  const related = retrievedLines(context.retrieved);
  if (related.length > 0) notes.push("Related lines from the project:", ...related.map((l) => `  ${l}`));
  const comment = headWithin(asComments(notes, language.comments), budget * AUGMENTATION_SHARE);

  const codeBudget = budget - sizeOf(comment);
  const beforeAll = file.lines.slice(0, context.hunk.startLine);
  const afterAll = file.lines.slice(end);
  const suffixBudget = Math.min(sizeOf(afterAll), codeBudget * SUFFIX_SHARE);
  const before = tailWithin(beforeAll, codeBudget - suffixBudget);
  const after = headWithin(afterAll, codeBudget - sizeOf(before));

  // The comment sits right above the hole, at the hunk's indentation: a small model attends most to what is
  // nearest the hole, and a comment block in place keeps the prefix valid code (Python included).
  const indent = hunkIndent(file.lines, context.hunk.startLine, context.hunk.endLine, detectIndentUnit(file.lines));
  const prefixLines = [...before, ...comment.map((l) => indent + l)];
  return {
    prefix: prefixLines.length > 0 ? prefixLines.join("\n") + "\n" : "",
    suffix:
      after.length > 0 ? after.join("\n") + (after.length < afterAll.length || file.endsWithNewline ? "\n" : "") : "",
    before,
    after,
  };
}

/**
 * Chat: the language, the enclosing function (else a window of lines) with the buggy lines between marker
 * comments, the failure evidence and the retrieved lines; the model is asked for the replacement lines only, in
 * one fenced block.
 */
/** A fix made earlier in the project (repair memory), shown to the model as a few-shot example. */
export interface FewShotExample {
  readonly buggy: readonly string[];
  readonly fixed: readonly string[];
}

/** Few-shot examples shown at most, and lines of each. */
const MAX_EXAMPLES = 3;
const MAX_EXAMPLE_LINES = 6;

function exampleLines(examples: readonly FewShotExample[]): string[] {
  const out: string[] = [];
  for (const example of examples.slice(0, MAX_EXAMPLES)) {
    const buggy = example.buggy.filter((l) => !isSecretLine(l)).slice(0, MAX_EXAMPLE_LINES);
    const fixed = example.fixed.filter((l) => !isSecretLine(l)).slice(0, MAX_EXAMPLE_LINES);
    if (buggy.length === 0) continue;
    out.push("Earlier fix:", ...buggy.map((l) => `-${l}`), ...fixed.map((l) => `+${l}`));
  }
  return out;
}

export function buildChatPrompt(
  original: HunkContext,
  evidence: FailureEvidence,
  budgetTokens: number,
  examples: readonly FewShotExample[] = [],
): ChatPrompt {
  const context = withoutSecrets(original);
  const file = splitFile(context.fileText);
  const language = languageById(context.language);
  const { hunk } = context;
  const end = hunkEnd(context);
  const budget = Math.max(200, budgetTokens * CHARS_PER_TOKEN);
  const fn = context.enclosingFunction;
  const useFunction = fn !== undefined && fn.startLine <= hunk.startLine && fn.endLine >= end;
  const from = useFunction ? fn.startLine : Math.max(0, hunk.startLine - CHAT_WINDOW_LINES);
  const to = useFunction ? fn.endLine : Math.min(file.lines.length, end + CHAT_WINDOW_LINES);

  const evidenceLines = failureLines(evidence);
  const related = retrievedLines(context.retrieved);
  const earlier = exampleLines(examples);
  const extras = [...evidenceLines, ...related, ...earlier];
  const codeBudget = Math.max(100, budget - sizeOf(extras) - 600);
  const suffixBudget = Math.min(sizeOf(file.lines.slice(end, to)), codeBudget * SUFFIX_SHARE);
  const before = tailWithin(file.lines.slice(from, hunk.startLine), codeBudget - suffixBudget);
  const after = headWithin(file.lines.slice(end, to), codeBudget - sizeOf(before));

  const unit = detectIndentUnit(file.lines);
  const indent = hunkIndent(file.lines, hunk.startLine, hunk.endLine, unit);
  const marker = (text: string): string => indent + asComments([text], language.comments).join(" ");
  const buggy = file.lines.slice(hunk.startLine, end);
  const marked = buggy.length > 0 ? [marker(BUG_START), ...buggy, marker(BUG_END)] : [marker(MISSING_CODE)];
  const tag = fenceTag(context.language);

  const user: string[] = [`Language: ${language.name}`, ""];
  user.push(
    buggy.length > 0
      ? `The code below has a bug in the lines between the comments \`${BUG_START}\` and \`${BUG_END}\`.`
      : `The code below is missing lines where the comment \`${MISSING_CODE}\` is.`,
    "",
    "```" + tag,
    ...before,
    ...marked,
    ...after,
    "```",
  );
  if (evidenceLines.length > 0) user.push("", "What fails:", ...evidenceLines);
  if (related.length > 0) user.push("", "Lines from the same project that may help:", ...related);
  if (earlier.length > 0) user.push("", "Fixes made earlier in this project, for reference:", ...earlier);
  user.push(
    "",
    buggy.length > 0
      ? `Reply with the corrected replacement for the marked lines only (without the marker comments and without the unchanged code around them), in one \`\`\`${tag} fenced block. An empty block deletes the marked lines.`
      : `Reply with the missing lines only, in one \`\`\`${tag} fenced block.`,
  );
  return {
    messages: [
      {
        role: "system",
        content:
          "You are an automated program repair tool. You fix the bug with the smallest correct change and answer with code only: one fenced code block holding the replacement lines, no explanations.",
      },
      { role: "user", content: user.join("\n") },
    ],
    before,
    after,
  };
}
