import { describe, expect, test } from "vitest";
import { DocumentStore } from "../../server/lsp/documents.js";

describe("OpenDocument", () => {
  test("incremental changes in UTF-16", () => {
    const store = new DocumentStore();
    const doc = store.open("file:///a.py", "python", 1, "x = 'é'\ny = 2\n");
    doc.applyChanges([{ range: { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } }, text: "!" }], 2);
    expect(doc.text).toBe("x = 'é!\ny = 2\n");
    expect(doc.version).toBe(2);
  });

  test("incremental changes in UTF-8 count bytes", () => {
    const store = new DocumentStore();
    store.setEncoding("utf-8");
    const doc = store.open("file:///a.py", "python", 1, "s = '😀'; t = 1\n");
    // The emoji is 4 bytes, so "t" is at byte column 12 (UTF-16 column 10).
    doc.applyChanges([{ range: { start: { line: 0, character: 12 }, end: { line: 0, character: 13 } }, text: "u" }], 2);
    expect(doc.text).toBe("s = '😀'; u = 1\n");
    expect(doc.positionAt(doc.text.indexOf("u"))).toEqual({ line: 0, character: 12 });
    expect(doc.lineRange(0).end.character).toBe(17);
  });

  test("several changes apply in order, and a full replacement resets", () => {
    const doc = new DocumentStore().open("file:///a.js", "javascript", 1, "a\nb\nc");
    doc.applyChanges(
      [
        { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, text: "B\nB2" },
        { range: { start: { line: 3, character: 0 }, end: { line: 3, character: 1 } }, text: "C" },
      ],
      5,
    );
    expect(doc.text).toBe("a\nB\nB2\nC");
    expect(doc.lineCount).toBe(4);
    expect(doc.lineText(2)).toBe("B2");
    doc.applyChanges([{ text: "new" }], 6);
    expect(doc.text).toBe("new");
    expect(doc.lineText(5)).toBe("");
  });

  test("CRLF line ends are not part of a line's text", () => {
    const doc = new DocumentStore().open("file:///a.c", "c", 1, "int a;\r\nint b;\r\n");
    expect(doc.lineText(0)).toBe("int a;");
    expect(doc.offsetAt({ line: 1, character: 0 })).toBe(8);
  });
});
