import { reindent } from "../indentation.js";
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

/** Control tokens that leak into answers when a stop string is missing from the model's template. */
const CONTROL_TOKENS =
  /<\|[a-z_]+\|>|<｜[^｜\n]*｜>|<(?:EOT|PRE|SUF|MID)>|<\/?(?:fim_[a-z]+|file_sep|repo_name)>|<\/s>|\[(?:PREFIX|SUFFIX|MIDDLE)\]/g;

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

/** Drops leading lines that repeat the prompt's code before the hunk (a whole-function echo). */
function trimEchoedPrefix(lines: string[], before: readonly string[]): string[] {
  for (let k = Math.min(lines.length, before.length); k >= 1; k--) {
    const tail = before.slice(before.length - k);
    if (!tail.every((l, i) => same(l, lines[i]))) continue;
    if (k >= 2 || substantial(tail[0]!)) return lines.slice(k);
  }
  return lines;
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
 * Turns a raw answer into replacement lines: strips control tokens, fences and prose, keeps what lies between
 * echoed markers, trims echoed context and a repeated suffix, and re-indents to the hunk's indentation. Returns
 * "" for an empty answer (a deletion) and undefined for an answer with nothing usable in it.
 */
export function parseAnswer(raw: string, shape: AnswerShape): string | undefined {
  const text = raw.replace(/\r\n/g, "\n").replace(CONTROL_TOKENS, "");
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
  lines = betweenMarkers(lines);
  lines = trimEchoedPrefix(stripBlankEnds(lines), shape.before);
  lines = stripBlankEnds(trimRepeatedSuffix(lines, shape.after));
  // A fill-in-the-middle answer that only repeats the suffix filled the hole with nothing: a deletion. A chat
  // answer with nothing left is prose or an echo, not a proposal.
  if (lines.length === 0) return shape.mode === "fim" ? "" : undefined;
  return reindent(lines, shape.indent, shape.unit).join("\n");
}
