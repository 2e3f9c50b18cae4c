import { describe, expect, test } from "vitest";
import {
  diagnosticsFixedBy,
  fixAllAction,
  kindRequested,
  lineEdit,
  repairAction,
  repairEdit,
  repairsForFixAll,
  repairTitle,
} from "../../server/lsp/code-actions.js";
import { CODE_ACTION_KINDS } from "../../server/lsp/protocol-names.js";
import { sha256 } from "../../server/pipeline/workspace-files.js";
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
        appliedHash: hashText("def f(x):\n    return x < 1\n"),
        edits: [{ startLine: 1, endLine: 2, newText: "    return x < 1\n", oldText: "    return x <= 1\n" }],
      },
    ],
    passed: 12,
    total: 12,
    verdict: "repair",
    fixedTests: ["test_f"],
    stillFailing: [],
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
    expect(repairTitle(repair)).toBe("Repair: `<=` -> `<` · failing tests now pass, none broken (12/12 tests pass)");
    expect(repairTitle({ ...repair, verdict: "partial", passed: 11, stillFailing: ["test_g"] })).toBe(
      "Partial repair: `<=` -> `<` · fixes 1 of 2 failing tests, none broken (11/12 tests pass)",
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

  test("hashText is the pipeline's sha256, whether the text is remembered or not", () => {
    // Repairs carry the pipeline's hash of their base text: the LSP layer must compute exactly the same one, for a
    // remembered text and after more texts than it remembers have gone by.
    expect(hashText(text)).toBe(sha256(text));
    expect(hashText(text)).toBe(sha256(text));
    for (let i = 0; i < 20; i++) expect(hashText(`${text}${i}`)).toBe(sha256(`${text}${i}`));
    expect(hashText(text)).toBe(sha256(text));
    expect(hashText(text + " ")).not.toBe(hashText(text));
  });
});

describe("code action kinds", () => {
  test("context.only admits kinds by dotted containment, as the protocol defines it", () => {
    expect(kindRequested(undefined, CODE_ACTION_KINDS.repair)).toBe(true);
    expect(kindRequested(["quickfix"], CODE_ACTION_KINDS.repair)).toBe(true);
    expect(kindRequested(["quickfix.repair-ls"], CODE_ACTION_KINDS.repair)).toBe(true);
    expect(kindRequested(["refactor"], CODE_ACTION_KINDS.repair)).toBe(false);
    expect(kindRequested(["source.organizeImports"], CODE_ACTION_KINDS.fixAll)).toBe(false);
  });

  test("auto-applying validated repairs reaches neither partial patches nor 'Repair here'", () => {
    expect(kindRequested(["quickfix.repair-ls"], CODE_ACTION_KINDS.partial)).toBe(false);
    expect(kindRequested(["quickfix.repair-ls"], CODE_ACTION_KINDS.repairHere)).toBe(false);
  });

  test("source.fixAll.repair-ls is offered only when asked for", () => {
    expect(kindRequested(undefined, CODE_ACTION_KINDS.fixAll)).toBe(false);
    expect(kindRequested(["source"], CODE_ACTION_KINDS.fixAll)).toBe(true);
    expect(kindRequested(["source.fixAll"], CODE_ACTION_KINDS.fixAll)).toBe(true);
  });
});

describe("source.fixAll.repair-ls", () => {
  const text = "a = 1\nb = 2\nc = 3\n";
  const base: CachedRepair = {
    id: "r1",
    folder: "/w",
    description: "a",
    files: [
      {
        path: "/w/a.py",
        baseHash: hashText(text),
        appliedHash: hashText("a = 0\nb = 2\nc = 3\n"),
        edits: [{ startLine: 0, endLine: 1, newText: "a = 0\n", oldText: "a = 1\n" }],
      },
    ],
    passed: 3,
    total: 3,
    verdict: "repair",
    fixedTests: ["t1"],
    stillFailing: [],
    rank: 0,
  };
  const alternative: CachedRepair = { ...base, id: "r2", rank: 1, description: "a again" };
  const other: CachedRepair = {
    ...base,
    id: "r3",
    rank: 2,
    files: [{ ...base.files[0]!, edits: [{ startLine: 2, endLine: 3, newText: "c = 0\n", oldText: "c = 3\n" }] }],
  };
  const partial: CachedRepair = {
    ...other,
    id: "r4",
    rank: 3,
    verdict: "partial",
    files: [{ ...base.files[0]!, edits: [{ startLine: 1, endLine: 2, newText: "b = 0\n", oldText: "b = 2\n" }] }],
  };

  test("applies every validated repair that does not overlap a better one, and no partial patch", () => {
    expect(repairsForFixAll([partial, other, alternative, base]).map((r) => r.id)).toEqual(["r1", "r3"]);
    const current = doc(text);
    const action = fixAllAction([base, alternative, other, partial], () => ({ document: current, version: 3 }), true);
    expect(action?.kind).toBe("source.fixAll.repair-ls");
    expect(action?.edit?.documentChanges).toEqual([
      {
        textDocument: { uri: "file:///w/a.py", version: 3 },
        edits: [
          { range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, newText: "a = 0\n" },
          { range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, newText: "c = 0\n" },
        ],
      },
    ]);
  });

  test("nothing once the document changed", () => {
    const changed = doc(text + "d = 4\n");
    expect(fixAllAction([base], () => ({ document: changed, version: 4 }), true)).toBeUndefined();
  });

  test("a partial patch is never preferred and has its own kind", () => {
    const action = repairAction({
      repair: partial,
      preferred: true,
      diagnostics: [],
      edit: undefined,
      lazyData: undefined,
    });
    expect(action.kind).toBe("quickfix.repair-ls-partial");
    expect(action.isPreferred).toBe(false);
  });
});
