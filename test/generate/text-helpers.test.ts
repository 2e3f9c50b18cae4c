import { describe, expect, it } from "vitest";
import {
  hunkSpan,
  normaliseWhitespace,
  offsetInHunkText,
  replaceHunk,
} from "../../server/pipeline/generate/hunk-text.js";
import { splitFile } from "../../server/core/line-text.js";
import { detectIndentUnit, insertionIndent, reindent } from "../../server/pipeline/generate/indentation.js";

describe("hunk text", () => {
  it("replaces, deletes and inserts whole lines", () => {
    const file = splitFile("a\nb\nc\n");
    expect(replaceHunk(file, { file: "/f", startLine: 1, endLine: 2 }, "B1\nB2")).toBe("a\nB1\nB2\nc\n");
    expect(replaceHunk(file, { file: "/f", startLine: 1, endLine: 2 }, "")).toBe("a\nc\n");
    expect(replaceHunk(file, { file: "/f", startLine: 1, endLine: 1 }, "x")).toBe("a\nx\nb\nc\n");
    expect(replaceHunk(file, { file: "/f", startLine: 3, endLine: 3 }, "d")).toBe("a\nb\nc\nd\n");
  });

  it("keeps CRLF line ends and a missing final newline", () => {
    const crlf = splitFile("a\r\nb\r\nc");
    expect(crlf.lines).toEqual(["a", "b", "c"]);
    expect(replaceHunk(crlf, { file: "/f", startLine: 1, endLine: 2 }, "x\ny")).toBe("a\r\nx\r\ny\r\nc");
    expect(replaceHunk(crlf, { file: "/f", startLine: 2, endLine: 3 }, "z")).toBe("a\r\nb\r\nz");
    expect(replaceHunk(crlf, { file: "/f", startLine: 3, endLine: 3 }, "d")).toBe("a\r\nb\r\nc\r\nd");
  });

  it("maps file offsets to offsets in the hunk's joined lines", () => {
    const file = splitFile("zero\r\none\r\ntwo\r\n");
    const span = hunkSpan(file, { file: "/f", startLine: 1, endLine: 3 });
    expect(file.text.slice(span.start, span.end)).toBe("one\r\ntwo");
    const twoAt = file.text.indexOf("two");
    expect("one\ntwo".slice(offsetInHunkText(file, 1, twoAt))).toBe("two");
  });

  it("normalises whitespace", () => {
    expect(normaliseWhitespace("  if (a  <\tb)\n  {")).toBe("if (a < b) {");
  });
});

describe("indentation", () => {
  it("detects spaces and tabs", () => {
    expect(detectIndentUnit(["def f():", "  if x:", "    y()", "  return 1"])).toBe("  ");
    expect(detectIndentUnit(["func f() {", "\tif x {", "\t\ty()", "\t}", "}"])).toBe("\t");
    expect(detectIndentUnit(["x = 1"])).toBe("    ");
  });

  it("indents an insertion inside a block that the previous line opens", () => {
    const lines = ["def f(x):", "    return x"];
    expect(insertionIndent(lines, 1, "    ")).toBe("    ");
    expect(insertionIndent(["if (a) {", "}"], 1, "  ")).toBe("  ");
    expect(insertionIndent(["  a();", "  b();", "}"], 2, "  ")).toBe("  ");
  });

  it("re-indents a block to a base, keeping its inner structure", () => {
    expect(reindent(["if x:", "    y()", "", "z()"], "  ", "    ")).toEqual(["  if x:", "      y()", "", "  z()"]);
    expect(reindent(["    a", "        b"], "\t", "\t")).toEqual(["\ta", "\t\tb"]);
  });
});
