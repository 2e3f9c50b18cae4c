import { describe, expect, it } from "vitest";
import type { LanguageId } from "../../grammars/languages.js";
import { withParse } from "../../grammars/parser.js";
import { byScore, filterCandidates } from "../../server/pipeline/generate/candidate-filter.js";
import { replaceHunk } from "../../server/pipeline/generate/hunk-text.js";
import { splitFile } from "../../server/core/line-text.js";
import { createSyntaxChecker, problemCount } from "../../server/pipeline/generate/syntax-check.js";
import type { Candidate, GeneratorId, HunkContext } from "../../server/core/types.js";
import { hunkContext } from "./hunk-fixture.js";

const PYTHON = `def f(xs):
    total = 0
    for x in xs:
        total += x
    return total
`;

function candidate(text: string, score: number, generator: GeneratorId = "template"): Candidate {
  return { text, score, generator, editKind: "operator", description: text };
}

async function filter(context: HunkContext, candidates: Candidate[], cap = 60): Promise<Candidate[]> {
  return withParse(context.fileText, context.language, async (parsed) => {
    const checker = createSyntaxChecker(parsed, splitFile(context.fileText), context.hunk);
    return filterCandidates(candidates, { context, checker, cap });
  });
}

describe("filterCandidates", () => {
  it("drops candidates equal to the buggy code after whitespace normalisation", async () => {
    const context = await hunkContext("python", PYTHON, { first: "total += x" });
    const kept = await filter(context, [candidate("        total  +=  x", 0.9), candidate("        total -= x", 0.5)]);
    expect(kept.map((c) => c.text)).toEqual(["        total -= x"]);
  });

  it("keeps an indentation-only fix in Python: moving a line out of its block is a different program", async () => {
    const context = await hunkContext("python", PYTHON, { first: "return total" });
    const kept = await filter(context, [candidate("        return total", 0.9), candidate("    return total", 0.5)]);
    expect(kept.map((c) => c.text)).toEqual(["        return total"]);
  });

  it("de-duplicates after normalisation, keeping the best-scored copy", async () => {
    const context = await hunkContext("python", PYTHON, { first: "total += x" });
    const kept = await filter(context, [
      candidate("        total -= x", 0.3, "template"),
      candidate("        total  -=  x", 0.8, "ollama-fim"),
    ]);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.generator).toBe("ollama-fim");
  });

  it("rejects candidates that add syntax errors but keeps the deletion candidate", async () => {
    const context = await hunkContext("python", PYTHON, { first: "total += x" });
    const kept = await filter(context, [
      candidate("        total += (x", 0.9),
      candidate("", 0.4),
      candidate("        total -= x", 0.5),
    ]);
    expect(kept.map((c) => c.text)).toEqual(["        total -= x"]);
    // Deleting the loop's only statement would leave an empty block: that deletion is rejected, while a
    // deletion that leaves valid code is kept.
    const other = await hunkContext("python", PYTHON, { first: "total = 0" });
    const keptDeletion = await filter(other, [candidate("", 0.4)]);
    expect(keptDeletion.map((c) => c.text)).toEqual([""]);
  });

  it("does not let a broken layout hide a valid duplicate below it", async () => {
    const context = await hunkContext("python", PYTHON, { first: "total += x" });
    const kept = await filter(context, [candidate("total -= x", 0.9), candidate("        total -= x", 0.5)]);
    expect(kept.map((c) => c.text)).toEqual(["        total -= x"]);
  });

  it("caps the list and interleaves generators by score", async () => {
    const context = await hunkContext("python", PYTHON, { first: "total += x" });
    const kept = await filter(
      context,
      [
        candidate("        total -= x", 0.5, "template"),
        candidate("        total *= x", 0.9, "ollama-chat"),
        candidate("        total = x", 0.7, "template"),
        candidate("        total /= x", 0.6, "ollama-chat"),
      ],
      3,
    );
    expect(kept.map((c) => c.score)).toEqual([0.9, 0.7, 0.6]);
  });

  it("orders equal scores by input order", () => {
    const ordered = byScore([candidate("a", 0.5), candidate("b", 0.7), candidate("c", 0.5)]);
    expect(ordered.map((c) => c.text)).toEqual(["b", "a", "c"]);
  });
});

interface WindowCase {
  readonly language: LanguageId;
  readonly source: string;
  readonly first: string;
  readonly candidates: readonly string[];
}

/**
 * The windowed check must agree with a whole-file reparse, including for units that need a wrapper and for
 * Python layout errors that tree-sitter itself does not flag.
 */
const WINDOW_CASES: readonly WindowCase[] = [
  {
    language: "java",
    source:
      "class A {\n    int f(int x) {\n        int y = x;\n        return y;\n    }\n\n    int g() { return 1; }\n}\n",
    first: "int y = x;",
    candidates: ["        int y = x + 1;", "        int y = (x;", "", "        }", "        int y = x; }"],
  },
  {
    language: "python",
    source: "class A:\n    def f(self, x):\n        if x:\n            return 1\n        return 2\n",
    first: "return 1",
    candidates: [
      "            return 3",
      "            return (",
      "",
      "        return 1",
      "            pass",
      "  return 1",
    ],
  },
  {
    language: "javascript",
    source: "class A {\n  f(x) {\n    const y = x;\n    return y;\n  }\n}\n",
    first: "const y = x;",
    candidates: ["    const y = x - 1;", "    const y = ;", "", "    }", "    const y = x; }"],
  },
  {
    // Deleting the body line of a brace-less `if` makes the next statement its body: valid, and the windowed
    // check must see the next statement to agree.
    language: "javascript",
    source:
      "(function () {\n  var a = 1;\n  if (a > 0)\n    { a = 2; }\n  if (a > 1)\n    { a = 3; }\n  var b = a;\n})();\n",
    first: "{ a = 2; }",
    candidates: ["", "    { a = 4; }", "    { a = ", "    a = 2;", "    }"],
  },
  {
    language: "typescript",
    source: "const x: number = 1;\nlet y = x;\nconsole.log(y);\nexport { y };\n",
    first: "let y = x;",
    candidates: ["let y = x + 1;", "let y = ", "", "let y: string = x;", "}"],
  },
  {
    language: "go",
    source: "package p\n\nfunc f(x int) int {\n\ty := x\n\treturn y\n}\n",
    first: "y := x",
    candidates: ["\ty := x + 1", "\ty := (x", "", "\t}", "\ty := x }"],
  },
];

describe("createSyntaxChecker", () => {
  it.each(WINDOW_CASES)(
    "agrees with a whole-file reparse for $language",
    async ({ language, source, first, candidates }) => {
      const context = await hunkContext(language, source, { first });
      const file = splitFile(source);
      const before = await problemCount(source, language);
      await withParse(source, language, async (parsed) => {
        const checker = createSyntaxChecker(parsed, file, context.hunk);
        for (const text of candidates) {
          const after = await problemCount(replaceHunk(file, context.hunk, text), language);
          expect(await checker.accepts(text), JSON.stringify(text)).toBe(after <= before);
        }
      });
    },
  );
});
