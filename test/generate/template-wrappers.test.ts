// The wrapper family: a missing min/max clamp added, and a wrapper or an operand that should not be there removed,
// on small snippets in several languages (the engine's full candidate pipeline, built-in engine only).
import { describe, expect, it } from "vitest";
import type { LanguageId } from "../../grammars/languages.js";
import { builtinCandidates, showCandidates } from "./hunk-fixture.js";

interface WrapperCase {
  readonly name: string;
  readonly language: LanguageId;
  readonly source: string;
  readonly line: string;
  readonly fix: string;
  readonly kind: "wrap" | "unwrap";
}

const CASES: WrapperCase[] = [
  {
    name: "python: a percentage clamped by a ceiling in scope",
    language: "python",
    source: "def percent(done, total, ceiling):\n    ratio = done * 100 // total\n    return ratio\n",
    line: "ratio = done * 100 // total",
    fix: "    ratio = min(ceiling, done * 100 // total)",
    kind: "wrap",
  },
  {
    name: "c++: a high-water mark kept as the larger of both",
    language: "cpp",
    source: "struct Stats { int peak; };\n\nvoid record(Stats &stats, int sample) {\n    stats.peak = sample;\n}\n",
    line: "stats.peak = sample;",
    fix: "    stats.peak = std::max(stats.peak, sample);",
    kind: "wrap",
  },
  {
    name: "java: a running maximum",
    language: "java",
    source:
      "class Peak {\n    static int peak(int[] xs) {\n        int best = 0;\n        for (int x : xs) {\n            best = x;\n        }\n        return best;\n    }\n}\n",
    line: "best = x;",
    fix: "            best = Math.max(best, x);",
    kind: "wrap",
  },
  {
    name: "javascript: an abs() that loses the sign",
    language: "javascript",
    source: "export function delta(a, b) {\n  return Math.abs(a - b);\n}\n",
    line: "return Math.abs(a - b);",
    fix: "  return a - b;",
    kind: "unwrap",
  },
  {
    name: "typescript: a factor that doubles the total",
    language: "typescript",
    source:
      "export function total(xs: number[]): number {\n  const sum = xs.reduce((a, b) => a + b, 0);\n  return sum * 2;\n}\n",
    line: "return sum * 2;",
    fix: "  return sum;",
    kind: "unwrap",
  },
  {
    name: "rust: a method-form abs() removed",
    language: "rust",
    source: "pub fn delta(a: i64, b: i64) -> i64 {\n    let d = (a - b).abs();\n    d\n}\n",
    line: "let d = (a - b).abs();",
    fix: "    let d = (a - b);",
    kind: "unwrap",
  },
];

describe("wrapper family", () => {
  it.each(CASES)("$name", async ({ language, source, line, fix, kind }) => {
    const candidates = await builtinCandidates(language, source, line);
    const found = candidates.find((c) => c.text === fix);
    expect(found, `fix ${JSON.stringify(fix)} not in:\n${showCandidates(candidates)}`).toBeDefined();
    expect(found!.editKind).toBe(kind);
  });

  it("never clamps a value against one of its own operands", async () => {
    const source = "def percent(done, total, ceiling):\n    ratio = done * 100 // total\n    return ratio\n";
    const candidates = await builtinCandidates("python", source, "ratio = done * 100 // total");
    const wraps = candidates.filter((c) => c.editKind === "wrap").map((c) => c.text);
    expect(wraps.length).toBeGreaterThan(0);
    expect(wraps.some((t) => /(min|max)\((done|total),/.test(t))).toBe(false);
  });

  it("proposes no min/max in C, which has no generic one", async () => {
    const source = "long merge_end(long end, long next) {\n    end = next;\n    return end;\n}\n";
    const candidates = await builtinCandidates("c", source, "end = next;");
    expect(candidates.some((c) => /\b(min|max)\(/.test(c.text))).toBe(false);
  });
});
