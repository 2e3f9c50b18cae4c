// Ranking of plausible patches and the unified diffs of reports (checked with `git apply`).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { applyPatch, type Patch } from "../../server/pipeline/combine/patch.js";
import { unifiedDiff } from "../../server/pipeline/diff.js";
import { normaliseForVoting, rankPatches, type RankInput } from "../../server/pipeline/rank.js";
import type { Candidate, GeneratorId } from "../../server/core/types.js";
import { tempDir } from "../support/temp.js";

function candidate(text: string, score: number, generator: GeneratorId = "template"): Candidate {
  return { text, score, generator, editKind: "operator", description: text };
}

function input(
  order: number,
  text: string,
  options: { regressions?: number; generators?: GeneratorId[]; score?: number; lines?: number; file?: string } = {},
): RankInput {
  const file = options.file ?? "/w/a.py";
  const patch: Patch = [
    { hunk: { file, startLine: 0, endLine: options.lines ?? 1 }, candidate: candidate(text, options.score ?? 1) },
  ];
  return {
    patch,
    texts: new Map([[file, text + "\n"]]),
    regressions: options.regressions ?? 0,
    generators: new Set(options.generators ?? ["template"]),
    order,
  };
}

describe("ranking", () => {
  test("fewest regressions first, then votes, then the smaller diff, then the score", () => {
    const ranked = rankPatches([
      input(0, "a", { regressions: 1, generators: ["template", "ollama-fim"] }),
      input(1, "b", { score: 5 }),
      input(2, "c", { generators: ["template", "ollama-chat"] }),
      input(3, "d", { lines: 3, score: 9 }),
      input(4, "e", { score: 7 }),
    ]);
    expect(ranked.map((r) => r.item.patch[0]!.candidate.text)).toEqual(["c", "e", "b", "d", "a"]);
    expect(ranked[0]!.votes).toBe(2);
  });

  test("patches equal after normalisation are one entry that carries every generator's vote", () => {
    const ranked = rankPatches([
      input(0, "x = a  +  b  # sum", { generators: ["template"] }),
      input(1, "x = a + b", { generators: ["ollama-fim"] }),
      input(2, "x = a - b", { generators: ["template"] }),
    ]);
    expect(ranked).toHaveLength(2);
    expect(ranked[0]!.generators).toEqual(["ollama-fim", "template"]);
    expect(ranked[0]!.votes).toBe(2);
  });

  test("normalisation drops comments and collapses whitespace", () => {
    expect(normaliseForVoting("a  =  1 // one\n/* two */ b = 2\n# three\n")).toBe("a = 1 b = 2");
    expect(normaliseForVoting('url = "http://x"')).toBe('url = "http://x"');
  });
});

describe("unified diffs", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir("repair-diff-");
    execFileSync("git", ["init", "-q"], { cwd: dir });
  });

  function checkWithGit(name: string, base: string, parts: Patch): void {
    const file = join(dir, name);
    const patch = parts.map((p) => ({ ...p, hunk: { ...p.hunk, file } }));
    writeFileSync(file, base);
    const expected = applyPatch(patch, new Map([[file, base]])).get(file)!;
    const lines = base.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    const edits = patch.map((p) => {
      const original = lines.slice(p.hunk.startLine, p.hunk.endLine);
      const newText = applyPatch([p], new Map([[file, base]])).get(file)!;
      // The edit's new text is what replaced the hunk's lines.
      const after = newText.match(/[^\n]*\n|[^\n]+$/g) ?? [];
      const added = after.slice(p.hunk.startLine, after.length - (lines.length - p.hunk.endLine));
      return {
        startLine: p.hunk.startLine,
        endLine: p.hunk.endLine,
        oldText: original.join(""),
        newText: added.join(""),
      };
    });
    const diff = unifiedDiff(name, base, edits);
    writeFileSync(join(dir, "p.diff"), diff);
    execFileSync("git", ["apply", "--check", "p.diff"], { cwd: dir });
    execFileSync("git", ["apply", "p.diff"], { cwd: dir });
    expect(readFileSync(file, "utf8")).toBe(expected);
  }

  const base = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n") + "\n";

  test("one replaced line", () => {
    checkWithGit("a.txt", base, [
      { hunk: { file: "", startLine: 10, endLine: 11 }, candidate: candidate("LINE 10", 1) },
    ]);
  });

  test("two distant hunks, a deletion and a multi-line insertion", () => {
    checkWithGit("b.txt", base, [
      { hunk: { file: "", startLine: 2, endLine: 3 }, candidate: candidate("", 1) },
      { hunk: { file: "", startLine: 20, endLine: 20 }, candidate: candidate("new a\nnew b", 1) },
    ]);
  });

  test("hunks close enough to share context, at the start and the end of a file without a final newline", () => {
    const noNewline = base.trimEnd();
    checkWithGit("c.txt", noNewline, [
      { hunk: { file: "", startLine: 0, endLine: 1 }, candidate: candidate("FIRST", 1) },
      { hunk: { file: "", startLine: 4, endLine: 5 }, candidate: candidate("FOURTH", 1) },
      { hunk: { file: "", startLine: 29, endLine: 30 }, candidate: candidate("LAST", 1) },
    ]);
  });

  test("headers name the path relative to the root with a/ and b/", () => {
    const diff = unifiedDiff("src/x.py", "a\nb\n", [{ startLine: 1, endLine: 2, oldText: "b\n", newText: "c\n" }]);
    expect(diff).toBe(
      "diff --git a/src/x.py b/src/x.py\n--- a/src/x.py\n+++ b/src/x.py\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
    );
  });
});
