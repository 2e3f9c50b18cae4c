import { describe, expect, it } from "vitest";
import { blankSpans, lexicalCommentSpans } from "../../index/comments.js";
import { extractLines, innermostFunctionAt, isMeaningful, normaliseLine } from "../../index/lines.js";

const PYTHON = `# Module comment.
import os


class Stack:
    def push(self, item):
        # Append to the end.
        self.items.append(item)   # trailing comment

    def pop(self):
        return self.items.pop()


def helper(x):
    y =  x  +  1
    y =  x  +  1
    return y
`;

const JAVASCRIPT = `/* Header
   spanning lines */
function total(items) {
  let sum = 0; // running sum
  for (const item of items) {
    sum += item.price;
  }
  return sum;
}

const url = "http://example.com/a"; // a string with slashes is not a comment
const twice = (x) => x * 2;
`;

describe("normaliseLine and isMeaningful", () => {
  it("collapses whitespace and trims", () => {
    expect(normaliseLine("  a \t =   b  ")).toBe("a = b");
  });

  it("keeps lines with letters or digits and drops punctuation-only ones", () => {
    expect(isMeaningful("});")).toBe(false);
    expect(isMeaningful("")).toBe(false);
    expect(isMeaningful("]")).toBe(false);
    expect(isMeaningful("x = 1")).toBe(true);
    expect(isMeaningful("0")).toBe(true);
  });
});

describe("extractLines", () => {
  it("strips Python comments, collapses whitespace, and drops blank and duplicate lines", async () => {
    const { lines, exact } = await extractLines(PYTHON, "python");
    expect(exact).toBe(true);
    expect(lines.map((l) => [l.line, l.norm])).toEqual([
      [1, "import os"],
      [4, "class Stack:"],
      [5, "def push(self, item):"],
      [7, "self.items.append(item)"],
      [9, "def pop(self):"],
      [10, "return self.items.pop()"],
      [13, "def helper(x):"],
      [14, "y = x + 1"],
      [16, "return y"],
    ]);
    // The raw text is the line as written, comment included.
    expect(lines.find((l) => l.line === 7)?.text).toBe("        self.items.append(item)   # trailing comment");
  });

  it("records the innermost enclosing function of each line", async () => {
    const { lines, functions } = await extractLines(PYTHON, "python");
    const byLine = new Map(lines.map((l) => [l.line, l.fn]));
    expect(byLine.get(1)).toBeUndefined();
    expect(byLine.get(7)).toMatchObject({ name: "push", startLine: 5, endLine: 8 });
    expect(byLine.get(10)).toMatchObject({ name: "pop", startLine: 9, endLine: 11 });
    expect(byLine.get(16)).toMatchObject({ name: "helper", startLine: 13, endLine: 17 });
    expect(functions.map((f) => f.name)).toEqual(["push", "pop", "helper"]);
    expect(innermostFunctionAt(functions, 6)?.name).toBe("push");
    expect(innermostFunctionAt(functions, 3)).toBeUndefined();
  });

  it("strips JavaScript line and block comments but not comment markers inside strings", async () => {
    const { lines } = await extractLines(JAVASCRIPT, "javascript");
    const norms = lines.map((l) => l.norm);
    expect(norms).toContain("let sum = 0;");
    expect(norms).toContain('const url = "http://example.com/a";');
    expect(norms.some((n) => n.includes("Header") || n.includes("running sum"))).toBe(false);
    // `}` lines are punctuation only.
    expect(norms).not.toContain("}");
  });

  it("names JavaScript functions, including arrow functions bound to a name", async () => {
    const { lines } = await extractLines(JAVASCRIPT, "javascript");
    expect(lines.find((l) => l.norm === "sum += item.price;")?.fn).toMatchObject({
      name: "total",
      startLine: 2,
      endLine: 9,
    });
    expect(lines.find((l) => l.norm.startsWith("const twice"))?.fn).toMatchObject({ name: "twice", startLine: 11 });
  });

  it("never throws on broken code", async () => {
    const broken = "def f(:\n    return ((\n  x = = 1\n";
    const { lines } = await extractLines(broken, "python");
    expect(lines.map((l) => l.norm)).toEqual(["def f(:", "return ((", "x = = 1"]);
  });

  it("skips very long (minified) lines", async () => {
    const { lines } = await extractLines(`var a = [${"1,".repeat(2000)}];\nvar b = 2;\n`, "javascript");
    expect(lines.map((l) => l.norm)).toEqual(["var b = 2;"]);
  });
});

describe("lexical comment fallback", () => {
  it("finds line and block comments outside strings", () => {
    const text = `a = "# not a comment" # yes\nb = 'x' // no\n`;
    const spans = lexicalCommentSpans(text, { line: "#" });
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(["# yes"]);
    const c = `int a; /* one\ntwo */ int b; // three\nchar *s = "/* no */";`;
    expect(lexicalCommentSpans(c, { line: "//", block: ["/*", "*/"] }).map((s) => c.slice(s.start, s.end))).toEqual([
      "/* one\ntwo */",
      "// three",
    ]);
  });

  it("blanks spans without moving line numbers or gluing tokens", () => {
    const text = "a/*x*/b\nc /* 1\n2 */ d\n";
    const spans = lexicalCommentSpans(text, { block: ["/*", "*/"] });
    expect(blankSpans(text, spans).split("\n").map(normaliseLine)).toEqual(["a b", "c", "d", ""]);
  });
});
