import { leadingWhitespace, reindent } from "../indentation.js";
import { normaliseLineEnds } from "../../../core/line-text.js";
import { BUG_END, BUG_START, MISSING_CODE } from "./prompts.js";

/** What the parser needs to turn a model's answer into replacement lines for the hunk. */
export interface AnswerShape {
  readonly mode: "fim" | "chat";
  /** Indentation the replacement starts at, and the file's indentation unit. */
  readonly indent: string;
  readonly unit: string;
  /** Prompt lines before and after the hunk, nearest last / nearest first, to trim echoed context. */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** How the answer ended (Ollama's done_reason): "length" when num_predict cut it, so its last line may be half written. */
export type DoneReason = string;

/** Control tokens that leak into answers when a stop string is missing from the model's template. */
const CONTROL_TOKEN =
  /<\|[a-z_]+\|>|<｜[^｜\n]*｜>|<(?:EOT|PRE|SUF|MID)>|<\/?(?:fim_[a-z]+|file_sep|repo_name)>|<\/s>|\[(?:PREFIX|SUFFIX|MIDDLE)\]/;

/** Reasoning a thinking model wrote into its answer; an unclosed block (cut by num_predict) runs to the end. */
const THINK_BLOCK = /<think>[\s\S]*?(?:<\/think>|$)/g;

/**
 * The text before the first control token: whatever follows an end-of-text or a new FIM round is the model
 * starting another file, not more of this answer.
 */
function beforeControlToken(text: string): string {
  const match = CONTROL_TOKEN.exec(text);
  return match ? text.slice(0, match.index) : text;
}

/** An answer cut by num_predict loses its last, half-written line; a one-line answer cut short is unusable. */
function dropPartialLine(text: string): string | undefined {
  if (text.endsWith("\n")) return text;
  const lastBreak = text.lastIndexOf("\n");
  return lastBreak < 0 ? undefined : text.slice(0, lastBreak + 1);
}

const FENCE = /```[^\n`]*\n([\s\S]*?)(?:\n?```|$)/;

function same(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim() === b.trim();
}

/** Whether a line is enough to prove an echo on its own (not a lone bracket or keyword). */
function substantial(line: string): boolean {
  const t = line.trim();
  return t.length >= 4 && /[A-Za-z0-9_]/.test(t);
}

/** A line of English rather than code: chatty models wrap their code in sentences. */
function isProse(line: string): boolean {
  const t = line.trim();
  if (t === "") return false;
  if (/[;{}=()[\]<>]|^\s*(#|\/\/)/.test(t)) return false;
  return /^[A-Z][A-Za-z'’]*(\s+\S+){2,}/.test(t) && /[.:!?]$|^(Here|This|The|I |Note|Explanation)/.test(t);
}

function stripBlankEnds(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}

/** Keeps what lies between the marker comments when the model echoed them (and drops stray marker lines). */
function betweenMarkers(lines: string[]): string[] {
  const startAt = lines.findIndex((l) => l.includes(BUG_START));
  const endAt = lines.findIndex((l, i) => i > startAt && l.includes(BUG_END));
  const inside = startAt >= 0 && endAt > startAt ? lines.slice(startAt + 1, endAt) : lines;
  return inside.filter((l) => !l.includes(BUG_START) && !l.includes(BUG_END) && !l.includes(MISSING_CODE));
}

/**
 * Drops leading lines that repeat the prompt's code before the hunk (a whole-function echo), and returns how
 * many were dropped, so the caller can anchor the indentation on them.
 */
function trimEchoedPrefix(lines: string[], before: readonly string[]): { lines: string[]; echoed: number } {
  for (let k = Math.min(lines.length, before.length); k >= 1; k--) {
    const tail = before.slice(before.length - k);
    if (!tail.every((l, i) => same(l, lines[i]))) continue;
    if (k >= 2 || substantial(tail[0]!)) return { lines: lines.slice(k), echoed: k };
  }
  return { lines, echoed: 0 };
}

/**
 * A whole-function echo with changes outside the hunk too: the answer starts with the context's first line and
 * ends with its last, but differs elsewhere. It is diffed against the context: the differing middle must lie
 * within the hunk to be the hunk's replacement; otherwise it changes lines the candidate cannot replace.
 * Returns undefined when the answer is no such echo.
 */
function diffFunctionEcho(
  lines: string[],
  before: readonly string[],
  after: readonly string[],
): { lines: string[] | null; echoed: number } | undefined {
  const first = before[0];
  const last = after[after.length - 1];
  if (first === undefined || last === undefined || !substantial(first) || !same(lines[0], first)) return undefined;
  if (!lines.some((l) => same(l, last))) return undefined;
  let head = 0;
  while (head < before.length && head < lines.length && same(lines[head], before[head])) head++;
  let tail = 0;
  while (
    tail < after.length &&
    tail < lines.length - head &&
    same(lines[lines.length - 1 - tail], after[after.length - 1 - tail])
  )
    tail++;
  if (head < before.length || tail < after.length) return { lines: null, echoed: head };
  return { lines: lines.slice(head, lines.length - tail), echoed: head };
}

/**
 * Re-indents the replacement. Fill-in-the-middle answers keep the model's absolute indentation: the model wrote
 * them in place, and a changed indentation may be the fix. A chat answer that echoed context is shifted by the
 * offset between the echoed line and the file's; one without an anchor is placed at the hunk's indentation.
 */
function placeIndentation(
  lines: string[],
  shape: AnswerShape,
  anchor: { echoed: string; original: string } | undefined,
): string[] {
  if (shape.mode === "fim") return lines;
  if (anchor) {
    const echoedIndent = leadingWhitespace(anchor.echoed);
    const originalIndent = leadingWhitespace(anchor.original);
    if (echoedIndent === originalIndent) return lines;
    // The model re-indented the whole block (often to column 0): move every line by the same amount.
    return lines.map((line) =>
      line.trim() === "" ? "" : line.startsWith(echoedIndent) ? originalIndent + line.slice(echoedIndent.length) : line,
    );
  }
  return reindent(lines, shape.indent, shape.unit);
}

/**
 * Cuts the answer where it starts repeating the code after the hunk, which models often do. One matching line
 * is enough when it is distinctive; a lone `}` needs a second matching line.
 */
function trimRepeatedSuffix(lines: string[], after: readonly string[]): string[] {
  const next = after.filter((l) => l.trim() !== "");
  if (next.length === 0) return lines;
  const needed = substantial(next[0]!) ? 1 : Math.min(2, next.length);
  for (let i = 0; i < lines.length; i++) {
    if (!same(lines[i], next[0])) continue;
    const rest = lines.slice(i).filter((l) => l.trim() !== "");
    if (next.slice(0, needed).every((l, j) => same(l, rest[j]))) return lines.slice(0, i);
  }
  return lines;
}

/**
 * Turns a raw answer into replacement lines: cuts at the first control token, strips reasoning, fences and
 * prose, drops the half-written last line of an answer cut by num_predict, keeps what lies between echoed
 * markers, trims (or diffs) echoed context and a repeated suffix, and places the indentation. Returns "" for an
 * empty answer (a deletion) and undefined for an answer with nothing usable in it.
 */
export function parseAnswer(raw: string, shape: AnswerShape, doneReason?: DoneReason): string | undefined {
  let text = beforeControlToken(normaliseLineEnds(raw)).replace(THINK_BLOCK, "");
  if (doneReason === "length") {
    const complete = dropPartialLine(text);
    if (complete === undefined) return undefined;
    text = complete;
  }
  if (text.trim() === "") return "";
  let lines: string[];
  const fenced = FENCE.exec(text);
  if (fenced) {
    lines = fenced[1]!.split("\n");
    // An explicitly empty block is the model choosing deletion.
    if (lines.every((l) => l.trim() === "")) return "";
  } else {
    lines = text.split("\n");
    if (shape.mode === "chat") {
      lines = stripBlankEnds(lines);
      while (lines.length > 0 && isProse(lines[0]!)) lines = stripBlankEnds(lines.slice(1));
      while (lines.length > 0 && isProse(lines[lines.length - 1]!)) lines = stripBlankEnds(lines.slice(0, -1));
    }
  }
  lines = stripBlankEnds(betweenMarkers(lines));
  let anchor: { echoed: string; original: string } | undefined;
  const diffed = shape.mode === "chat" ? diffFunctionEcho(lines, shape.before, shape.after) : undefined;
  if (diffed) {
    if (diffed.lines === null) return undefined;
    lines = diffed.lines;
  } else {
    const trimmed = trimEchoedPrefix(lines, shape.before);
    if (trimmed.echoed > 0) {
      anchor = { echoed: lines[trimmed.echoed - 1]!, original: shape.before[shape.before.length - 1]! };
    }
    lines = stripBlankEnds(trimRepeatedSuffix(trimmed.lines, shape.after));
  }
  // A fill-in-the-middle answer that only repeats the suffix filled the hole with nothing: a deletion. A chat
  // answer with nothing left is prose or an echo, not a proposal.
  if (lines.length === 0) return shape.mode === "fim" ? "" : undefined;
  return placeIndentation(lines, shape, anchor).join("\n");
}
