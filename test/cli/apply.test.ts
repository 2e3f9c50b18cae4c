import { createHash } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { planWrites, restorePlanned, writePlanned } from "../../server/cli/apply.js";
import { replaceLineRanges } from "../../server/core/line-text.js";
import type { JobReportPatch } from "../../server/lsp/job-report.js";
import { tempDir } from "../support/temp.js";

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

describe("planWrites, writePlanned and restorePlanned", () => {
  let dir: string;

  function patch(file: string, base: string, startLine: number, newText: string): JobReportPatch {
    return {
      id: "p",
      description: "d",
      files: [file],
      diff: "",
      edits: [{ file, startLine, endLine: startLine + 1, oldText: "", newText }],
      baseHashes: { [file]: sha(base) },
      validatedTests: { passed: 1, total: 1 },
      verdict: "repair",
      fixedTests: [],
      stillFailing: [],
      validations: 1,
      generators: [],
    };
  }

  async function apply(file: string, bytes: Buffer, startLine: number, newText: string): Promise<Buffer> {
    writeFileSync(join(dir, file), bytes);
    // The server reads files as UTF-8 (invalid bytes become U+FFFD): base hashes are of that text.
    await writePlanned(await planWrites(dir, [patch(file, bytes.toString("utf8"), startLine, newText)]));
    return readFileSync(join(dir, file));
  }

  test("writes the patched text and leaves no temporary file", async () => {
    dir = tempDir("apply-");
    expect((await apply("a.py", Buffer.from("x = 1\ny = 2\n"), 0, "x = 0\n")).toString()).toBe("x = 0\ny = 2\n");
    expect(readdirSync(dir)).toEqual(["a.py"]);
  });

  test("refuses, writing nothing, when any file changed since the repair was computed", async () => {
    dir = tempDir("apply-");
    writeFileSync(join(dir, "a.py"), "x = 1\n");
    writeFileSync(join(dir, "b.py"), "edited by the user\n");
    const both = [patch("a.py", "x = 1\n", 0, "x = 0\n"), patch("b.py", "original\n", 0, "changed\n")];
    await expect(planWrites(dir, both)).rejects.toThrow(/b.py changed since the repair was computed/);
    expect(readFileSync(join(dir, "a.py"), "utf8")).toBe("x = 1\n");
  });

  test("keeps the file's mode (an executable script stays executable)", async () => {
    dir = tempDir("apply-");
    writeFileSync(join(dir, "run.sh"), "echo 1\necho 2\n");
    chmodSync(join(dir, "run.sh"), 0o755);
    await writePlanned(await planWrites(dir, [patch("run.sh", "echo 1\necho 2\n", 1, "echo 3\n")]));
    expect(statSync(join(dir, "run.sh")).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(dir, "run.sh"), "utf8")).toBe("echo 1\necho 3\n");
  });

  test("restorePlanned puts back every byte and the mode", async () => {
    dir = tempDir("apply-");
    const before = Buffer.from("caf\xe9 = 1\r\nx = 2\n", "latin1");
    writeFileSync(join(dir, "a.py"), before);
    chmodSync(join(dir, "a.py"), 0o640);
    const writes = await planWrites(dir, [patch("a.py", before.toString("utf8"), 1, "x = 3\n")]);
    await writePlanned(writes);
    expect(readFileSync(join(dir, "a.py"))).not.toEqual(before);
    await restorePlanned(writes);
    expect(readFileSync(join(dir, "a.py"))).toEqual(before);
    expect(statSync(join(dir, "a.py")).mode & 0o777).toBe(0o640);
  });

  test("a Latin-1 file: untouched lines stay byte-identical", async () => {
    dir = tempDir("apply-");
    const bytes = Buffer.from("# Ren\xe9 M\xfcller\nlimit = 10\n", "latin1");
    const after = await apply("a.py", bytes, 1, "limit = 11\n");
    expect(after).toEqual(Buffer.from("# Ren\xe9 M\xfcller\nlimit = 11\n", "latin1"));
  });

  test("a Latin-1 file: an edit of a line holding non-UTF-8 bytes is refused, nothing written", async () => {
    dir = tempDir("apply-");
    const bytes = Buffer.from("name = 'Ren\xe9'\n", "latin1");
    writeFileSync(join(dir, "a.py"), bytes);
    const server = bytes.toString("utf8");
    await expect(planWrites(dir, [patch("a.py", server, 0, server.replace("name", "nom"))])).rejects.toThrow(
      /own encoding/,
    );
    expect(readFileSync(join(dir, "a.py"))).toEqual(bytes);
  });

  test("a UTF-8 file with a byte-order mark keeps the mark", async () => {
    dir = tempDir("apply-");
    const bytes = Buffer.from("\ufeffa = 1\nb = 'ü'\n", "utf8");
    const after = await apply("a.py", bytes, 0, "a = 2\n");
    expect(after).toEqual(Buffer.from("\ufeffa = 2\nb = 'ü'\n", "utf8"));
  });

  test("mixed line endings: other lines keep theirs", async () => {
    dir = tempDir("apply-");
    const after = await apply("a.py", Buffer.from("a\r\nb\nc\r\n"), 1, "B\n");
    expect(after.toString()).toBe("a\r\nB\nc\r\n");
  });

  test("a UTF-16 file is refused with a clear reason, nothing written", async () => {
    dir = tempDir("apply-");
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a = 1\n", "utf16le")]);
    writeFileSync(join(dir, "a.py"), bytes);
    await expect(planWrites(dir, [patch("a.py", bytes.toString("utf8"), 0, "a = 2\n")])).rejects.toThrow(/UTF-16/);
    expect(readFileSync(join(dir, "a.py"))).toEqual(bytes);
  });

  test("a file reached through a link to outside the workspace is never written", async () => {
    dir = tempDir("apply-");
    const outside = tempDir("apply-outside-");
    writeFileSync(join(outside, "a.py"), "x = 1\n");
    symlinkSync(join(outside, "a.py"), join(dir, "a.py"));
    await expect(planWrites(dir, [patch("a.py", "x = 1\n", 0, "x = 0\n")])).rejects.toThrow(/outside the workspace/);
    expect(readFileSync(join(outside, "a.py"), "utf8")).toBe("x = 1\n");
  });
});
