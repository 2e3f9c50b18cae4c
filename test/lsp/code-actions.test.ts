import { describe, expect, test } from "vitest";
import { diagnosticsFixedBy, lineEdit, repairEdit, repairTitle } from "../../server/lsp/code-actions.js";
import { DocumentStore } from "../../server/lsp/documents.js";
import { hashText, type CachedRepair } from "../../server/lsp/repair-cache.js";

function doc(text: string, encoding: "utf-8" | "utf-16" = "utf-16") {
  const store = new DocumentStore();
  store.setEncoding(encoding);
  return store.open("file:///w/a.py", "python", 3, text);
}

describe("lineEdit", () => {
  test("whole lines with a final line break", () => {
    expect(lineEdit(doc("a\nb\nc\n"), { startLine: 1, endLine: 2, newText: "B\n" })).toEqual({
      range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } },
      newText: "B\n",
    });
  });

  test("the last line without a line break ends at its last character, in the negotiated encoding", () => {
    expect(lineEdit(doc("a\ns = 'é'", "utf-8"), { startLine: 1, endLine: 2, newText: "s = 'e'" })).toEqual({
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 8 } },
      newText: "s = 'e'",
    });
  });
});

describe("repairEdit", () => {
  const text = "def f(x):\n    return x <= 1\n";
  const repair: CachedRepair = {
    id: "r1",
    folder: "/w",
    description: "`<=` -> `<`",
    files: [
      {
        path: "/w/a.py",
        baseHash: hashText(text),
        edits: [{ startLine: 1, endLine: 2, newText: "    return x < 1\n" }],
      },
    ],
    passed: 12,
    total: 12,
    regressions: 0,
    fixedTests: ["test_f"],
    rank: 0,
  };

  test("a versioned edit for the current text", () => {
    const current = doc(text);
    const edit = repairEdit(repair, () => ({ document: current, version: current.version }), true);
    expect(edit?.documentChanges).toEqual([
      {
        textDocument: { uri: "file:///w/a.py", version: 3 },
        edits: [
          {
            range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } },
            newText: "    return x < 1\n",
          },
        ],
      },
    ]);
  });

  test("no edit once the document has changed", () => {
    const changed = doc(text + "# edited\n");
    expect(repairEdit(repair, () => ({ document: changed, version: 4 }), true)).toBeUndefined();
  });

  test("titles say what changes and what was verified", () => {
    expect(repairTitle(repair)).toBe("Repair: `<=` -> `<` · failing tests now pass (12/12)");
    expect(repairTitle({ ...repair, passed: 10, regressions: 2 })).toBe(
      "Repair: `<=` -> `<` · 10/12 tests pass, 2 regressions",
    );
  });

  test("an action carries the diagnostics its repair fixes: its own, and other servers' on its lines", () => {
    const line = (n: number) => ({ start: { line: n, character: 0 }, end: { line: n, character: 4 } });
    const own = { range: line(1), message: "repair available", source: "repair-ls", data: { repairId: "r1" } };
    const otherRepair = { ...own, data: { repairId: "r2" } };
    const pyright = { range: line(1), message: "unreachable", source: "pyright" };
    const elsewhere = { range: line(0), message: "unused x", source: "pyright" };
    expect(diagnosticsFixedBy(repair, "/w/a.py", [own, otherRepair, pyright, elsewhere])).toEqual([own, pyright]);
    expect(diagnosticsFixedBy(repair, "/w/b.py", [pyright])).toEqual([]);
  });

  test("hashText remembers recent texts and still tells different texts apart", () => {
    expect(hashText(text)).toBe(hashText(text));
    expect(hashText(text + " ")).not.toBe(hashText(text));
  });
});
