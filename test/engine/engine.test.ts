// The engine end to end on small Python workspaces with scripted candidates: outcomes of every kind, the flaky
// oracle, overlays, editor hunks, partial repairs, multi-hunk repairs across files, ranking and report shape.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import type { CandidateSource } from "../../server/pipeline/candidates.js";
import { fixAllFailing, repairHunks, type RepairEnvironment } from "../../server/pipeline/repair.js";
import { silentLogger, silentProgress, type Candidate, type GeneratorId } from "../../server/core/types.js";
import { scratchRoot } from "../../server/pipeline/validate/scratch.js";
import { sha256 } from "../../server/pipeline/workspace-files.js";
import { ownScratchDirs, snapshotTree } from "../support/workspace-snapshot.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

let root: string;
beforeEach(() => {
  root = tempDir("repair-engine-");
});

function write(files: Record<string, string>): void {
  writeFiles(root, files);
}

function c(text: string, description: string, score = 1, generator: GeneratorId = "template"): Candidate {
  return { text, score, generator, editKind: "operator", description };
}

/** Candidates by the buggy text of a hunk (exact match, without indentation). */
function scripted(table: Record<string, Candidate[]>): CandidateSource {
  return (context) => Promise.resolve(table[context.buggyText.trim()] ?? []);
}

function env(
  generate: CandidateSource,
  config: Partial<Config> = {},
  extra: Partial<RepairEnvironment> = {},
): RepairEnvironment {
  return {
    root,
    config: { ...defaultConfig(), "test.allowRun": "always", "repair.workers": 2, ...config },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    generate,
    ...extra,
  };
}

const CALC = {
  "calc.py":
    "def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return lo\n    return x\n",
  "test_calc.py": [
    "from calc import clamp",
    "",
    "",
    "def test_inside():",
    "    assert clamp(5, 0, 10) == 5",
    "",
    "",
    "def test_below():",
    "    assert clamp(-3, 0, 10) == 0",
    "",
    "",
    "def test_above():",
    "    assert clamp(12, 0, 10) == 10",
    "",
  ].join("\n"),
};

test("a plausible patch: structured edits, base hash, a diff git applies, outcomes of every kind", async () => {
  write(CALC);
  const before = snapshotTree(root);
  const report = await fixAllFailing(
    env(
      scripted({
        "return lo": [
          c("        return (", "syntax error"),
          c("        return undefined_name", "NameError"),
          c("        return hi", "`lo` -> `hi`", 0.5),
          c("        return hi", "`lo` -> `hi`", 0.4, "ollama-fim"),
        ],
      }),
      // No early stop: with two workers, the first plausible patch could otherwise end the search before the
      // duplicate from the second generator is offered, and its vote would be lost by a race.
      { "repair.stopAfterPlausible": 10 },
    ),
  );
  expect(report.status).toBe("fixed");
  expect(report.failingBefore).toEqual(["test_calc.py::test_above"]);
  expect(report.unfixed).toEqual([]);
  const best = report.patches[0]!;
  expect(best.description).toBe("`lo` -> `hi`");
  expect(best.verdict).toBe("repair");
  expect(best.fixedTests).toEqual(["test_calc.py::test_above"]);
  expect(best.validatedTests).toEqual({ passed: 3, total: 3 });
  expect(best.stillFailing).toEqual([]);
  expect(best.generators).toEqual(["ollama-fim", "template"]);
  const file = best.files[0]!;
  expect(file).toMatchObject({ file: join(root, "calc.py"), relativePath: "calc.py" });
  expect(file.edits).toEqual([
    { startLine: 4, endLine: 5, oldText: "        return lo\n", newText: "        return hi\n" },
  ]);
  expect(file.baseHash).toBe(sha256(CALC["calc.py"]));
  expect(file.baseText).toBe(CALC["calc.py"]);
  // The diff applies with git at the root (checked on a copy: the user's folder must not change).
  const copy = tempDir("repair-engine-apply-");
  writeFileSync(join(copy, "calc.py"), CALC["calc.py"]);
  writeFileSync(join(copy, "p.diff"), best.diff);
  execFileSync("git", ["apply", "p.diff"], { cwd: copy });
  expect(readFileSync(join(copy, "calc.py"), "utf8")).toContain("    if x > hi:\n        return hi\n");
  const kinds = report.outcomes.map((o) => o.outcome.kind);
  expect(kinds).toContain("syntax-error");
  expect(kinds).toContain("failing-tests");
  expect(kinds).toContain("plausible");
  // Syntax errors cost no test run; the duplicate from the second generator is no outcome of its own and cost
  // none either (other hunks, such as line 3's `return lo`, may have been tried as well).
  expect(report.validations).toBe(kinds.filter((k) => k !== "syntax-error").length);
  expect(report.outcomes.filter((o) => o.outcome.kind === "plausible")).toHaveLength(1);
  expect(report.secondsToFirstPlausible).toBeGreaterThan(0);
  expect(report.localisation[0]).toBe("calc.py:5-5");
  expect(snapshotTree(root)).toBe(before);
  expect(ownScratchDirs(scratchRoot())).toEqual([]);
});

test("a candidate that loops forever times out and is killed", async () => {
  write(CALC);
  const report = await fixAllFailing(
    env(
      scripted({
        "return lo": [c("        while True:\n            pass", "loop"), c("        return hi", "`lo` -> `hi`", 0.1)],
      }),
      { "repair.workers": 1, "repair.stopAfterPlausible": 1 },
    ),
  );
  expect(report.status).toBe("fixed");
  // Whichever fires first on a loaded machine, the run's timeout or pytest's per-test deadline, the loop is killed
  // and judged a failure, and the search goes on to the repair.
  const loop = report.outcomes.find((o) => o.description.startsWith("loop"))?.outcome;
  expect(loop?.kind === "timeout" || (loop?.kind === "failing-tests" && loop.count === 1)).toBe(true);
}, 120_000);

test("a patch that breaks another test is never reported, only recorded as an outcome", async () => {
  write(CALC);
  const report = await fixAllFailing(
    env(
      scripted({
        "return lo": [c("        return hi", "`lo` -> `hi`", 0.1)],
        // Fixes test_above but sends negative values past the lower bound: test_below breaks.
        "if x < lo:": [c("    if x > hi:\n        return hi\n    if x < -100:", "clamp late", 0.9)],
      }),
    ),
  );
  expect(report.status).toBe("fixed");
  expect(report.patches.map((p) => [p.description, p.verdict])).toEqual([["`lo` -> `hi`", "repair"]]);
  expect(report.partials).toEqual([]);
  const late = report.outcomes.find((o) => o.description.startsWith("clamp late"));
  expect(late?.outcome).toEqual({ kind: "failing-tests", count: 1, regressions: 1 });
});

test("when every candidate that fixes the failing test breaks another, nothing is reported", async () => {
  write(CALC);
  const report = await fixAllFailing(
    env(
      scripted({
        "if x < lo:": [c("    if x > hi:\n        return hi\n    if x < -100:", "clamp late", 0.9)],
      }),
    ),
  );
  expect(report.status).toBe("unfixed");
  expect(report.patches).toEqual([]);
  expect(report.partials).toEqual([]);
  expect(report.unfixed).toEqual(["test_calc.py::test_above"]);
  expect(report.outcomes.some((o) => o.outcome.kind === "failing-tests" && o.outcome.regressions === 1)).toBe(true);
});

test("two bugs in two files: greedy acceptance combines a partial fix in each", async () => {
  write({
    "lib/a.py": "def inc(x):\n    return x + 2\n",
    "lib/b.py": "def dec(x):\n    return x - 2\n",
    "lib/__init__.py": "",
    "test_ab.py": [
      "from lib.a import inc",
      "from lib.b import dec",
      "",
      "",
      "def test_inc():",
      "    assert inc(1) == 2",
      "",
      "",
      "def test_dec():",
      "    assert dec(1) == 0",
      "",
      "",
      "def test_roundtrip():",
      "    assert dec(inc(5)) == 5",
      "",
    ].join("\n"),
  });
  const report = await fixAllFailing(
    env(
      scripted({
        "return x + 2": [c("    return x + 3", "`2` -> `3`"), c("    return x + 1", "`2` -> `1`", 0.5)],
        "return x - 2": [c("    return x - 3", "`2` -> `3`"), c("    return x - 1", "`2` -> `1`", 0.5)],
      }),
    ),
  );
  expect(report.status).toBe("fixed");
  const best = report.patches[0]!;
  expect(best.files.map((f) => f.relativePath)).toEqual(["lib/a.py", "lib/b.py"]);
  expect(best.description).toBe("`2` -> `1`; `2` -> `1`");
  expect(["greedy", "same-text"]).toContain(best.phase);
  expect(best.diff).toContain("diff --git a/lib/a.py b/lib/a.py");
  expect(best.diff).toContain("diff --git a/lib/b.py b/lib/b.py");
});

test("a partial repair: some failing tests fixed, none broken", async () => {
  write({
    "m.py": "def f():\n    return 1\n\n\ndef g():\n    return 1\n",
    "test_m.py": "from m import f, g\n\n\ndef test_f():\n    assert f() == 2\n\n\ndef test_g():\n    assert g() == 3\n",
  });
  const report = await fixAllFailing(env(scripted({ "return 1": [c("    return 2", "`1` -> `2`")] })));
  expect(report.status).toBe("partial");
  // A partial patch is never a repair: it has its own list, and no failing test counts as fixed.
  expect(report.patches).toEqual([]);
  // The smallest partial patch comes first (the same text in both hunks fixes no more tests).
  expect(report.partials[0]?.files[0]?.edits).toHaveLength(1);
  expect(report.partials[0]).toMatchObject({
    verdict: "partial",
    fixedTests: ["test_m.py::test_f"],
    stillFailing: ["test_m.py::test_g"],
  });
  expect(report.unfixed).toEqual(["test_m.py::test_f", "test_m.py::test_g"]);
});

test("a flaky failure is not the oracle", async () => {
  // The test fails on its first run in a copy and passes afterwards (it leaves a marker in the scratch copy).
  write({
    "m.py": "def f():\n    return 1\n",
    "test_m.py": [
      "import os",
      "from m import f",
      "",
      "",
      "def test_f():",
      "    assert f() == 1",
      "",
      "",
      "def test_flaky():",
      "    first = not os.path.exists('marker')",
      "    open('marker', 'w').close()",
      "    assert not first",
      "",
    ].join("\n"),
  });
  const report = await fixAllFailing(env(scripted({})));
  expect(report.status).toBe("nothing-failing");
  expect(report.flaky).toEqual(["test_m.py::test_flaky"]);
});

test("overlays (unsaved buffers) are what the engine repairs, and edits are computed against them", async () => {
  write(CALC);
  const fixedOnDisk = CALC["calc.py"].replace("return lo\n    return x", "return hi\n    return x");
  writeFileSync(join(root, "calc.py"), fixedOnDisk);
  // On disk the code is right; the editor buffer holds the bug.
  const overlays = new Map([[join(root, "calc.py"), CALC["calc.py"]]]);
  const report = await fixAllFailing(
    env(
      scripted({ "return lo": [c("        return hi", "`lo` -> `hi`")] }),
      { "repair.stopAfterPlausible": 1 },
      { overlays },
    ),
  );
  expect(report.status).toBe("fixed");
  expect(report.patches[0]!.files[0]!.baseHash).toBe(sha256(CALC["calc.py"]));
  expect(readFileSync(join(root, "calc.py"), "utf8")).toBe(fixedOnDisk);
});

test("repairHunks repairs only inside the editor's hunk", async () => {
  write(CALC);
  const calls: string[] = [];
  const generate: CandidateSource = (context) => {
    calls.push(`${context.hunk.startLine}-${context.hunk.endLine}`);
    return scripted({ "return lo": [c("        return hi", "`lo` -> `hi`")] })(
      context,
      { failingTests: [], diagnostics: [] },
      {
        config: defaultConfig(),
        logger: silentLogger,
        progress: silentProgress,
        signal: new AbortController().signal,
      },
    );
  };
  const report = await repairHunks(env(generate, { "repair.stopAfterPlausible": 1 }), [
    { file: join(root, "calc.py"), startLine: 3, endLine: 5 },
  ]);
  expect(report.status).toBe("fixed");
  expect(calls[0]).toBe("3-5");
  for (const call of calls) {
    const [start, end] = call.split("-").map(Number) as [number, number];
    expect(start).toBeGreaterThanOrEqual(3);
    expect(end).toBeLessThanOrEqual(5);
  }
});
