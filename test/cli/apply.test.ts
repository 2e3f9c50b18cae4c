import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { applyPatches } from "../../server/cli/apply.js";
import { replaceLineRanges } from "../../server/pipeline/combine/patch.js";
import type { JobReportPatch } from "../../server/lsp/job-report.js";

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

describe("replaceLineRanges", () => {
  test.each([
    ["replace one line", "a\nb\nc\n", [{ startLine: 1, endLine: 2, newText: "B\n" }], "a\nB\nc\n"],
    ["insert before a line", "a\nc\n", [{ startLine: 1, endLine: 1, newText: "b\n" }], "a\nb\nc\n"],
    ["delete lines", "a\nb\nc\n", [{ startLine: 0, endLine: 2, newText: "" }], "c\n"],
    [
      "several hunks keep their line numbers",
      "1\n2\n3\n4\n",
      [
        { startLine: 0, endLine: 1, newText: "one\nuno\n" },
        { startLine: 3, endLine: 4, newText: "four\n" },
      ],
      "one\nuno\n2\n3\nfour\n",
    ],
    ["the last line without a line break", "a\nb", [{ startLine: 1, endLine: 2, newText: "B" }], "a\nB"],
    ["CRLF text is kept as given", "a\r\nb\r\n", [{ startLine: 0, endLine: 1, newText: "A\r\n" }], "A\r\nb\r\n"],
  ])("%s", (_name, text, edits, expected) => {
    expect(replaceLineRanges(text, edits)).toBe(expected);
  });
});

describe("applyPatches", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function patch(file: string, base: string, newText: string): JobReportPatch {
    return {
      id: "p",
      description: "d",
      files: [file],
      diff: "",
      edits: [{ file, startLine: 0, endLine: 1, oldText: "x\n", newText: `${newText}\n` }],
      baseHashes: { [file]: sha(base) },
      validatedTests: { passed: 1, total: 1 },
      fixedTests: [],
      regressions: 0,
      validations: 1,
      generators: [],
    };
  }

  test("writes the patched text and leaves no temporary file", async () => {
    dir = mkdtempSync(join(tmpdir(), "apply-"));
    writeFileSync(join(dir, "a.py"), "x = 1\ny = 2\n");
    await applyPatches(dir, [patch("a.py", "x = 1\ny = 2\n", "x = 0")]);
    expect(readFileSync(join(dir, "a.py"), "utf8")).toBe("x = 0\ny = 2\n");
    expect(readdirSync(dir)).toEqual(["a.py"]);
  });

  test("refuses, writing nothing, when any file changed since the repair was computed", async () => {
    dir = mkdtempSync(join(tmpdir(), "apply-"));
    writeFileSync(join(dir, "a.py"), "x = 1\n");
    writeFileSync(join(dir, "b.py"), "edited by the user\n");
    const both = [patch("a.py", "x = 1\n", "x = 0"), patch("b.py", "original\n", "changed")];
    await expect(applyPatches(dir, both)).rejects.toThrow(/b.py changed since the repair was computed/);
    expect(readFileSync(join(dir, "a.py"), "utf8")).toBe("x = 1\n");
  });
});
