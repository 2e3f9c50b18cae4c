import { describe, expect, it } from "vitest";
import { hashText, RepairCache, type CachedRepair } from "../../server/lsp/repair-cache.js";

function repair(id: string, path: string, text: string, newText = "x = 1\n"): CachedRepair {
  return {
    id,
    folder: "/w",
    description: `repair ${id}`,
    files: [
      {
        path,
        baseHash: hashText(text),
        edits: [{ startLine: 0, endLine: 1, newText, oldText: text }],
        appliedHash: hashText(newText),
      },
    ],
    passed: 1,
    total: 1,
    verdict: "repair",
    fixedTests: ["t"],
    stillFailing: [],
    rank: 0,
  };
}

describe("RepairCache bounds", () => {
  it("keeps at most 2,000 repairs, dropping the least recently offered first", () => {
    const cache = new RepairCache();
    cache.replace([repair("first", "/w/first.py", "a\n")]);
    for (let i = 0; i < 1999; i++) cache.replace([repair(`r${i}`, `/w/f${i}.py`, "a\n")]);
    // Offering the first repair again makes it recent, so the next one in line goes instead.
    expect(cache.get("first")).toBeDefined();
    cache.replace([repair("last", "/w/last.py", "a\n")]);
    expect(cache.get("first")).toBeDefined();
    expect(cache.get("r0")).toBeUndefined();
    expect(cache.get("last")).toBeDefined();
    expect(cache.forFile("/w/last.py").map((r) => r.id)).toEqual(["last"]);
  });

  it("bounds the bytes repairs hold, and still drops repairs whose base text changed", () => {
    const cache = new RepairCache();
    const huge = "y = 2\n".repeat(2_000_000);
    for (let i = 0; i < 4; i++) cache.replace([repair(`big${i}`, `/w/big${i}.py`, "a\n", huge)]);
    // Four replacements of 24 MB (UTF-16) each cannot all stay within 64 MiB.
    expect(cache.get("big0")).toBeUndefined();
    expect(cache.get("big3")).toBeDefined();
    expect([...cache.invalidate("/w/big3.py", "changed\n")]).toEqual(["/w/big3.py"]);
    expect(cache.get("big3")).toBeUndefined();
  });
});
