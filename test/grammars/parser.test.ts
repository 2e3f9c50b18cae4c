import { describe, expect, it, vi, type MockInstance } from "vitest";
import type { Tree } from "web-tree-sitter";
import { parse, syntaxErrors, withParse } from "../../grammars/parser.js";
import { enclosingFunction } from "../../grammars/syntax.js";
import { LANGUAGE_CASES, lineOf, type LanguageCase } from "./language-cases.js";

/** Removes the last occurrence of piece from text, or fails loudly when the snippet has none to remove. */
function withoutLast(text: string, piece: string): string {
  const at = text.lastIndexOf(piece);
  if (at < 0) throw new Error(`the snippet contains no ${piece}`);
  return text.slice(0, at) + text.slice(at + piece.length);
}

/** Removes the first occurrence of piece from text. */
function withoutFirst(text: string, piece: string): string {
  const at = text.indexOf(piece);
  if (at < 0) throw new Error(`the snippet contains no ${piece}`);
  return text.slice(0, at) + text.slice(at + piece.length);
}

/** Puts noise at the start of the line that holds the outer function's inside marker. */
function withGarbage(testCase: LanguageCase): string {
  const lines = testCase.source.split("\n");
  const line = lineOf(testCase.source, testCase.outer.inside);
  lines[line] = "\u0001\u00ff@#$%^ ?? ~~ \u0007 " + (lines[line] ?? "");
  return lines.join("\n");
}

/** Text that looks like a binary file: every byte value, NUL included, in a fixed scrambled order. */
function binaryText(length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode((i * 37 + 11) % 256);
  return text;
}

const BROKEN: ReadonlyArray<readonly [string, (testCase: LanguageCase) => string]> = [
  ["an unclosed brace", (c) => withoutLast(c.source, "}")],
  ["a missing parenthesis", (c) => withoutFirst(c.source, ")")],
  ["garbage bytes", withGarbage],
];

describe.each(LANGUAGE_CASES)("$id on bad input", (testCase: LanguageCase) => {
  it.each(BROKEN)("reports %s as syntax errors without throwing", async (_label, breakIt) => {
    const text = breakIt(testCase);
    const errors = await syntaxErrors(text, testCase.id);
    expect(errors.length).toBeGreaterThan(0);
    const lineCount = text.split("\n").length;
    for (const error of errors) {
      expect(error.startLine).toBeGreaterThanOrEqual(0);
      expect(error.endLine).toBeGreaterThanOrEqual(error.startLine);
      expect(error.endLine).toBeLessThan(lineCount);
      expect(error.message).toMatch(/^(missing |syntax error near )/);
    }
  });

  it("parses binary-looking text with NUL bytes without throwing", async () => {
    const text = binaryText(4096);
    expect(text).toContain("\u0000");
    const errors = await withParse(text, testCase.id, (parsed) => {
      expect(parsed.tree.rootNode.endIndex).toBeGreaterThan(0);
      return parsed.errors;
    });
    expect(errors.length).toBeGreaterThan(0);
  });

  it("parses an empty text to a tree without errors", async () => {
    expect(await syntaxErrors("", testCase.id)).toEqual([]);
  });

  it("parses a 20,000-line text and still finds functions near its end", async () => {
    const snippetLines = testCase.source.split("\n").length - 1;
    const copies = Math.ceil(20_000 / snippetLines);
    const text = testCase.source.repeat(copies);
    const lastCopyStart = (copies - 1) * snippetLines;
    const inside = lastCopyStart + lineOf(testCase.source, testCase.outer.inside);
    const found = await withParse(text, testCase.id, async (parsed) => {
      expect(parsed.tree.rootNode.endPosition.row).toBeGreaterThanOrEqual(20_000);
      return enclosingFunction(parsed, { startLine: inside, endLine: inside + 1 });
    });
    expect(found?.name).toBe(testCase.outer.name);
    expect(found?.startLine).toBe(lastCopyStart + lineOf(testCase.source, testCase.outer.first));
  });
});

describe("tree disposal", () => {
  const first = LANGUAGE_CASES.find((c) => c.id === "python");
  if (!first) throw new Error("the Python case is missing");

  it("deletes the tree when the callback throws", async () => {
    let tree: Tree | undefined;
    let deleteSpy: MockInstance<() => void> | undefined;
    const run = withParse(first.source, first.id, (parsed) => {
      tree = parsed.tree;
      deleteSpy = vi.spyOn(parsed.tree, "delete");
      throw new Error("callback failed");
    });
    await expect(run).rejects.toThrow("callback failed");
    expect(tree).toBeDefined();
    expect(deleteSpy).toHaveBeenCalledTimes(1);
  });

  it("deletes the tree when an async callback rejects", async () => {
    let deleteSpy: MockInstance<() => void> | undefined;
    const run = withParse(first.source, first.id, async (parsed) => {
      deleteSpy = vi.spyOn(parsed.tree, "delete");
      await Promise.resolve();
      throw new Error("async callback failed");
    });
    await expect(run).rejects.toThrow("async callback failed");
    expect(deleteSpy).toHaveBeenCalledTimes(1);
  });

  it("deletes the tree after a callback that succeeds, and returns its value", async () => {
    let deleteSpy: MockInstance<() => void> | undefined;
    const value = await withParse(first.source, first.id, (parsed) => {
      deleteSpy = vi.spyOn(parsed.tree, "delete");
      expect(deleteSpy).not.toHaveBeenCalled();
      return parsed.tree.rootNode.type;
    });
    expect(value).toBe("module");
    expect(deleteSpy).toHaveBeenCalledTimes(1);
  });

  it("deletes a tree once however often dispose is called", async () => {
    const parsed = await parse(first.source, first.id);
    const deleteSpy = vi.spyOn(parsed.tree, "delete");
    parsed.dispose();
    parsed.dispose();
    expect(deleteSpy).toHaveBeenCalledTimes(1);
  });
});
