import { describe, expect, it } from "vitest";
import {
  detectEol,
  lineRangeEdit,
  normaliseLineEnds,
  replaceLineRanges,
  splitFile,
  splitLinesKeepEnds,
} from "../../server/core/line-text.js";
import { applyPatch } from "../../server/pipeline/combine/patch.js";
import { replaceHunk } from "../../server/pipeline/generate/hunk-text.js";

/** Every way a candidate reaches a file: generation's replaceHunk and validation's applyPatch must agree. */
function bothSplices(text: string, startLine: number, endLine: number, replacement: string): [string, string] {
  const hunk = { file: "/f", startLine, endLine };
  const generated = replaceHunk(splitFile(text), hunk, replacement);
  const validated = applyPatch(
    [
      {
        hunk,
        candidate: { text: replacement, score: 0, generator: "template", editKind: "test", description: "test" },
      },
    ],
    new Map([["/f", text]]),
  ).get("/f")!;
  return [generated, validated];
}

describe("the one line model", () => {
  it("takes a file's terminator from its first line, whatever comes later", () => {
    expect(detectEol("a\r\nb\nc\n")).toBe("\r\n");
    expect(detectEol("a\nb\r\nc\r\n")).toBe("\n");
    expect(detectEol("no terminator")).toBe("\n");
    expect(detectEol("\r\n")).toBe("\r\n");
    expect(splitFile("a\r\nb\r\n").eol).toBe("\r\n");
    // Inside the pipeline candidates and answers are LF only; a lone CR is content, not a line end.
    expect(normaliseLineEnds("a\r\nb\rc\n")).toBe("a\nb\rc\n");
  });

  it("drops terminators from lines and keeps them where asked", () => {
    const file = splitFile("a\r\nb\nc");
    expect(file.lines).toEqual(["a", "b", "c"]);
    expect(file.starts).toEqual([0, 3, 5, 6]);
    expect(file.endsWithNewline).toBe(false);
    expect(splitLinesKeepEnds("a\r\nb\nc")).toEqual(["a\r\n", "b\n", "c"]);
    expect(splitLinesKeepEnds("").join("")).toBe("");
  });

  it("writes new lines with the file's own terminator", () => {
    for (const result of bothSplices("a\r\nb\r\nc\r\n", 1, 2, "B1\nB2")) expect(result).toBe("a\r\nB1\r\nB2\r\nc\r\n");
    // A candidate that arrives with CRLF inside is not doubled to "\r\r\n".
    for (const result of bothSplices("a\r\nb\r\n", 0, 1, "x\r\ny")) expect(result).toBe("x\r\ny\r\nb\r\n");
  });

  it("keeps a file's missing final newline when replacing, deleting or inserting at its end", () => {
    for (const result of bothSplices("a\nb", 1, 2, "B")) expect(result).toBe("a\nB");
    for (const result of bothSplices("a\nb", 1, 2, "")) expect(result).toBe("a\n");
    // An insertion after an unterminated last line starts a new line instead of gluing onto it.
    for (const result of bothSplices("a\nb", 2, 2, "c")) expect(result).toBe("a\nb\nc");
    for (const result of bothSplices("a\r\nb", 2, 2, "c")) expect(result).toBe("a\r\nb\r\nc");
  });

  it("inserts before a line and into an empty text", () => {
    for (const result of bothSplices("a\nb\n", 1, 1, "x")) expect(result).toBe("a\nx\nb\n");
    for (const result of bothSplices("", 0, 0, "x")) expect(result).toBe("x\n");
  });

  it("splices several ranges bottom-up and refuses overlapping ones", () => {
    const file = splitFile("1\n2\n3\n4\n");
    const edits = [lineRangeEdit(file, 0, 1, "one"), lineRangeEdit(file, 2, 4, "three-four")];
    expect(replaceLineRanges("1\n2\n3\n4\n", edits)).toBe("one\n2\nthree-four\n");
    expect(replaceLineRanges(file, edits)).toBe("one\n2\nthree-four\n");
    expect(() => replaceLineRanges(file, [lineRangeEdit(file, 0, 2, "x"), lineRangeEdit(file, 1, 3, "y")])).toThrow(
      /overlapping/,
    );
  });
});
