// HunkContext: what the generators receive for a hunk.
import { expect, test } from "vitest";
import { buildHunkContext, hunkText } from "../../server/pipeline/context.js";
import { silentLogger, type Hunk, type RetrievedLine, type Retriever } from "../../server/core/types.js";

const FILE = "/w/src/calc.py";
const TEXT = "import math\n\n\ndef area(r):\n    half = r / 2\n    return math.pi * half * half\n\n\nLIMIT = 10\n";

function retriever(lines: RetrievedLine[] | Error): Retriever & { asked: Hunk[] } {
  const asked: Hunk[] = [];
  return {
    asked,
    retrieveForHunk(hunk) {
      asked.push(hunk);
      return lines instanceof Error ? Promise.reject(lines) : Promise.resolve(lines);
    },
    similarLines: () => Promise.resolve([]),
  };
}

test("buggy text, enclosing function from tree-sitter, and retrieved lines", async () => {
  const related: RetrievedLine = { file: FILE, line: 8, text: "LIMIT = 10", score: 0.7, scope: "same-file" };
  const source = retriever([related]);
  const hunk = { file: FILE, startLine: 4, endLine: 6 };
  const context = (await buildHunkContext(hunk, TEXT, source, silentLogger))!;
  expect(context.language).toBe("python");
  expect(context.buggyText).toBe("    half = r / 2\n    return math.pi * half * half");
  expect(context.enclosingFunction).toMatchObject({ name: "area", startLine: 3, endLine: 6 });
  expect(context.retrieved).toEqual([related]);
  expect(source.asked).toEqual([hunk]);
  expect(context.fileText).toBe(TEXT);
});

test("at top level the enclosing 'function' is a window of lines around the hunk", async () => {
  const context = (await buildHunkContext({ file: FILE, startLine: 8, endLine: 9 }, TEXT, undefined, silentLogger))!;
  expect(context.enclosingFunction).toMatchObject({ name: undefined, startLine: 5, endLine: 9 });
  expect(context.retrieved).toEqual([]);
});

test("an insertion retrieves nothing, and a failing retriever is not fatal", async () => {
  const source = retriever(new Error("index is rebuilding"));
  const insertion = await buildHunkContext({ file: FILE, startLine: 5, endLine: 5 }, TEXT, source, silentLogger);
  expect(insertion?.buggyText).toBe("");
  expect(source.asked).toEqual([]);
  const failing = await buildHunkContext({ file: FILE, startLine: 4, endLine: 5 }, TEXT, source, silentLogger);
  expect(failing?.retrieved).toEqual([]);
});

test("files outside the grammar table have no context; CRLF files give lines without \\r", async () => {
  expect(
    await buildHunkContext({ file: "/w/notes.txt", startLine: 0, endLine: 1 }, "x\n", undefined, silentLogger),
  ).toBeUndefined();
  expect(hunkText("a\r\nb\r\nc\r\n", { file: FILE, startLine: 1, endLine: 3 })).toBe("b\nc");
});
