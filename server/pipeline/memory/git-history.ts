import { execFile } from "node:child_process";
import { languageForPath } from "../../../grammars/languages.js";
import type { LanguageId } from "../../../grammars/languages.js";

/** A small fix mined from the repository's history: the lines a commit replaced and what it replaced them with. */
export interface RepairExample {
  readonly buggy: readonly string[];
  readonly fixed: readonly string[];
  readonly language: LanguageId;
  /** Where the example comes from, for descriptions: "history abc1234: Fix the bound check". */
  readonly source: string;
  /** The tests that failed before the fix, when known (applied repairs). */
  readonly tests?: string;
}

/** Most changed lines (removed + added) of a commit that counts as a small fix. */
export const MAX_FIX_LINES = 6;
/** Most hunks of such a commit. */
const MAX_FIX_HUNKS = 3;
/** Bounds on reading a huge history: git's time and output. */
const GIT_TIMEOUT_MS = 10_000;
const GIT_MAX_BUFFER = 32 * 1024 * 1024;

const FIX_MESSAGE = /\b(fix(e[sd])?|bug|wrong|incorrect|off[- ]by[- ]one|typo|correct(s|ed)?|repair(s|ed)?|broken)\b/i;
const TEST_PATH = /(^|\/)(tests?|spec|__tests__)\/|(^|\/)test_[^/]*$|_test\.[a-z]+$|\.(test|spec)\.[a-z]+$|Test\.java$/;

function git(cwd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    // The workspace is untrusted: no external diff drivers, no textconv filters, no fsmonitor hook, no pager.
    execFile(
      "git",
      ["-c", "core.fsmonitor=false", "-c", "core.pager=cat", ...args],
      {
        cwd,
        timeout: GIT_TIMEOUT_MS,
        maxBuffer: GIT_MAX_BUFFER,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" },
      },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
}

/** The repository's top folder, or undefined when the folder is not in a git work tree (or git is missing). */
export async function gitTopLevel(folder: string): Promise<string | undefined> {
  const out = await git(folder, ["rev-parse", "--show-toplevel"]);
  return out?.trim() || undefined;
}

interface DiffHunk {
  readonly path: string;
  readonly removed: string[];
  readonly added: string[];
}

/** The hunks of `git log -U0` output for one commit (paths from the +++ lines; deleted files are skipped). */
function parseHunks(diff: readonly string[]): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  let path: string | undefined;
  let current: DiffHunk | undefined;
  for (const line of diff) {
    if (line.startsWith("diff --git ")) {
      path = undefined;
      current = undefined;
    } else if (line.startsWith("+++ ")) {
      path = line.startsWith("+++ b/") ? line.slice(6) : undefined;
    } else if (line.startsWith("--- ")) {
      continue;
    } else if (line.startsWith("@@")) {
      current = path === undefined ? undefined : { path, removed: [], added: [] };
      if (current) hunks.push(current);
    } else if (current && line.startsWith("-")) current.removed.push(line.slice(1));
    else if (current && line.startsWith("+")) current.added.push(line.slice(1));
  }
  return hunks;
}

/**
 * Small fix commits of the repository's history, newest first: at most MAX_FIX_LINES changed lines in at most
 * MAX_FIX_HUNKS hunks of source files (test files excluded), with a message that says fix or a diff shaped like one
 * (every hunk replaces lines one for one). Reads at most `maxCommits` commits; [] when git is missing or fails.
 */
export async function mineFixCommits(topLevel: string, maxCommits: number): Promise<RepairExample[]> {
  const out = await git(topLevel, [
    "log",
    "--no-merges",
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "--no-renames",
    `--max-count=${maxCommits}`,
    "-U0",
    "--format=%x1e%h%x1f%s",
  ]);
  if (!out) return [];
  const examples: RepairExample[] = [];
  for (const chunk of out.split("\x1e")) {
    const lines = chunk.split("\n");
    const [hash, subject = ""] = (lines[0] ?? "").split("\x1f");
    if (!hash) continue;
    const hunks = parseHunks(lines.slice(1));
    const changed = hunks.reduce((n, h) => n + h.removed.length + h.added.length, 0);
    if (hunks.length === 0 || hunks.length > MAX_FIX_HUNKS || changed > MAX_FIX_LINES) continue;
    const oneForOne = hunks.every((h) => h.removed.length > 0 && h.removed.length === h.added.length);
    if (!FIX_MESSAGE.test(subject) && !oneForOne) continue;
    for (const hunk of hunks) {
      const language = languageForPath(hunk.path)?.id;
      if (!language || TEST_PATH.test(hunk.path) || hunk.removed.length === 0) continue;
      examples.push({
        buggy: hunk.removed,
        fixed: hunk.added,
        language,
        source: `history ${hash}: ${subject.slice(0, 60)}`,
      });
    }
  }
  return examples;
}
