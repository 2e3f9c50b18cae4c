// Localisation without any signal: an input/output-tested program gets its executable statements as candidates,
// ranked by fix-pattern priors and flagged as a fallback; a local syntax error does not hide the rest of a file.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { filesTestsRun, fixPatternPrior } from "../../server/pipeline/localise/fallback.js";
import { factsOf, type FileFacts } from "../../server/pipeline/localise/file-facts.js";
import { localise } from "../../server/pipeline/localise/localise.js";
import { SourceFiles } from "../../server/pipeline/localise/source-files.js";
import type { TestOutcome } from "../../server/pipeline/runners/outcomes.js";
import { listWorkspaceFiles, WorkspaceFiles } from "../../server/pipeline/workspace-files.js";
import { bug, projectDir } from "../support/fixture-bugs.js";
import { tempDir } from "../support/temp.js";

const failed = (name: string): TestOutcome => ({ name, status: "failed", message: "" });
const passed = (name: string): TestOutcome => ({ name, status: "passed", message: "" });

/** A throwaway workspace holding the given files. */
function workspace(files: Record<string, string>): string {
  const root = tempDir("repair-fallback-");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function localiseIn(root: string, failing: TestOutcome[], passing: TestOutcome[] = []) {
  return localise({
    sources: new SourceFiles(root, await listWorkspaceFiles(root)),
    files: new WorkspaceFiles(root),
    failing,
    passing,
  });
}

describe("fix-pattern priors", () => {
  test("a line's prior is the share of ManySStuBs4J fixes whose pattern fits it", () => {
    const call = fixPatternPrior("    total = compute(a, b)");
    const condition = fixPatternPrior("    if (count > 0 && !done) {");
    const plain = fixPatternPrior("    x = y");
    for (const prior of [call, condition, plain]) {
      expect(prior).toBeGreaterThan(0);
      expect(prior).toBeLessThanOrEqual(1);
    }
    // Calls carry the most fix mass (2,543 of 6,706 bugs), more than conditions with operators (1,007).
    expect(call).toBeGreaterThan(condition);
    expect(condition).toBeGreaterThan(plain);
    expect(fixPatternPrior("")).toBe(0);
  });
});

describe("fallback localisation", () => {
  test("an input/output-tested C program without coverage: its statements, ranked by priors, flagged", async () => {
    const id = "c-io-grades";
    const root = projectDir(id);
    const result = await localiseIn(root, bug(id).failingTests.map(failed), [passed("two_students")]);
    expect(result.fallback).toBe(true);
    expect(result.spectrumSource).toBe("none");
    const buggy = bug(id).hunks[0]!;
    const lineHunks = result.hunks.filter((h) => h.origin === "line");
    const rank = lineHunks.findIndex(
      (h) => h.hunk.file === join(root, buggy.file) && h.hunk.startLine === buggy.startLine,
    );
    expect(rank).toBeGreaterThanOrEqual(0);
    expect(result.lines.every((l) => !l.file.includes("/tests/"))).toBe(true);
  });

  test("is not used when a test body reaches the code", async () => {
    const root = workspace({
      "pytest.ini": "[pytest]\ntestpaths = tests\npythonpath = .\n",
      "calc.py": "def double(x):\n    return x * 3\n",
      "tests/test_calc.py": "from calc import double\n\n\ndef test_double():\n    assert double(2) == 4\n",
    });
    const result = await localiseIn(root, [failed("tests/test_calc.py::test_double")]);
    expect(result.fallback).toBe(false);
    expect(result.lines[0]).toMatchObject({ file: join(root, "calc.py"), line: 1 });
  });

  test("in a large workspace only the sources the tests mention are candidates", async () => {
    const big = Array.from({ length: 2100 }, (_, i) => `    v${i} = v${i} + 1`).join("\n");
    const facts = new Map<string, FileFacts>();
    for (const [file, text] of [
      ["/w/used.py", "def used(x):\n    return x + 1\n"],
      ["/w/unused.py", `def unused(v0):\n${big}\n`],
      ["/w/tests/test_used.py", "from used import used\n\ndef test_used():\n    assert used(1) == 2\n"],
    ] as const) {
      facts.set(file, (await factsOf(file, text))!);
    }
    const isTestFile = (file: string): boolean => file.includes("/tests/");
    expect(filesTestsRun({ facts, isTestFile, isTestLine: isTestFile })).toEqual(["/w/used.py"]);
  });
});

describe("syntax errors do not stop localisation", () => {
  test("statements inside and after an ERROR node keep their weights (C, Python)", async () => {
    const c = [
      "int f(int y) {",
      "    if (y > 0) {",
      "        return y - 1;",
      "    }",
      "    for (int i = 0; i < y; i++ {",
      "        y--;",
      "    }",
      "    return 0;",
      "}",
      "",
    ].join("\n");
    const facts = (await factsOf("/w/f.c", c))!;
    expect(facts.syntaxErrorLines.length).toBeGreaterThan(0);
    for (const line of [1, 2, 4, 5, 7]) expect(facts.lineWeights.has(line), `line ${line}`).toBe(true);
    const py = "def a(x):\n    return x +\n\ndef b(y):\n    if y > 0:\n        return y - 1\n    return 0\n";
    const pyFacts = (await factsOf("/w/m.py", py))!;
    for (const line of [1, 4, 5, 6]) expect(pyFacts.lineWeights.has(line), `line ${line}`).toBe(true);
  });

  test("a file with a broken function still offers its other lines as candidates", async () => {
    const root = workspace({
      "src/main.c": [
        "#include <stdio.h>",
        "static int twice(int x) {",
        "    return x * 2",
        "}",
        "int main(void) {",
        "    int n = 0;",
        '    while (scanf("%d", &n) == 1) {',
        '        printf("%d\\n", twice(n) + 1);',
        "    }",
        "    return 0;",
        "}",
        "",
      ].join("\n"),
      "tests/cases/one.in": "1\n",
      "tests/cases/one.out": "2\n",
    });
    const result = await localiseIn(root, [failed("one")]);
    expect(result.fallback).toBe(true);
    const file = join(root, "src/main.c");
    const candidateLines = new Set(result.lines.filter((l) => l.file === file).map((l) => l.line));
    for (const line of [2, 5, 6, 7, 9]) expect(candidateLines.has(line), `line ${line}`).toBe(true);
    expect(result.brokenFiles.map((b) => b.file)).toEqual([file]);
  });
});
