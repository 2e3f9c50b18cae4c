// Swapping the operands of `+` when it concatenates strings or lists (where order matters), in several languages;
// numeric `+`, where a swap changes nothing, is left alone.
import { describe, expect, it } from "vitest";
import { builtinCandidates } from "./hunk-fixture.js";

describe("concatenation swaps", () => {
  it.each([
    {
      language: "python" as const,
      source: 'def with_suffix(name):\n    return ".txt" + name\n',
      line: 'return ".txt" + name',
      fix: '    return name + ".txt"',
    },
    {
      language: "javascript" as const,
      source: "export function label(count) {\n  return ` items` + count;\n}\n",
      line: "return ` items` + count;",
      fix: "  return count + ` items`;",
    },
    {
      language: "java" as const,
      source: 'class Paths {\n    static String join(String dir) {\n        return "/" + dir;\n    }\n}\n',
      line: 'return "/" + dir;',
      fix: '        return dir + "/";',
    },
    {
      language: "python" as const,
      source: "def queue_with(items, first):\n    return items + [first]\n",
      line: "return items + [first]",
      fix: "    return [first] + items",
    },
  ])("$language: $line", async ({ language, source, line, fix }) => {
    const candidates = await builtinCandidates(language, source, line);
    const found = candidates.find((c) => c.text === fix);
    expect(found, candidates.map((c) => c.text).join("\n")).toBeDefined();
    expect(found!.editKind).toBe("swap");
  });

  it("leaves numeric addition alone", async () => {
    const candidates = await builtinCandidates("python", "def total(a, b):\n    return a + b\n", "return a + b");
    expect(candidates.map((c) => c.text)).not.toContain("    return b + a");
  });
});
