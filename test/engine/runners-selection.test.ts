// Test selection and order for a candidate: target failing tests first, then the tests covering the changed
// lines, then the rest; and a run that follows that order and stops at the first failure, cold and warm.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import type { SpectrumEntity } from "../../server/pipeline/localise/coverage.js";
import { detectTestCommand } from "../../server/pipeline/runners/detect.js";
import type { TestOutcome } from "../../server/pipeline/runners/outcomes.js";
import { runTests } from "../../server/pipeline/runners/run-tests.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import { orderTestsForCandidate } from "../../server/pipeline/runners/selection.js";
import { WarmPool } from "../../server/pipeline/runners/warm/warm-pool.js";
import { silentLogger, silentProgress, type Candidate } from "../../server/core/types.js";
import { WorkerPool } from "../../server/pipeline/validate/pool.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

const outcome = (name: string, status: TestOutcome["status"] = "passed"): TestOutcome => ({
  name,
  status,
  message: "",
});

test("failing tests first, then the tests covering the changed lines, then the rest; skipped ones left out", () => {
  const tests = [outcome("a"), outcome("b"), outcome("c", "failed"), outcome("d", "skipped"), outcome("e")];
  const coverage: SpectrumEntity[] = [
    { name: "a", failed: false, lines: new Map([["/w/m.py", new Set([1, 2])]]) },
    { name: "e", failed: false, lines: new Map([["/w/m.py", new Set([7])]]) },
    { name: "b", failed: false, lines: new Map([["/w/other.py", new Set([7])]]) },
  ];
  const order = orderTestsForCandidate({
    oracle: [tests[2]!],
    tests,
    coverage,
    changed: new Map([["/w/m.py", [7]]]),
  });
  expect(order.map((t) => t.name)).toEqual(["c", "e", "a", "b"]);
  expect(orderTestsForCandidate({ oracle: [], tests, changed: new Map() }).map((t) => t.name)).toEqual([
    "a",
    "b",
    "c",
    "e",
  ]);
});

let dir: string;
beforeEach(() => {
  dir = tempDir("repair-select-");
});

test("pytest runs the selected tests in the given order and stops at the first failure, cold and warm", async () => {
  const log = join(dir, "ran.log");
  const body = (name: string, ok: boolean): string =>
    `def test_${name}():\n    with open(${JSON.stringify(log)}, "a") as f:\n        f.write("${name}\\n")\n    assert ${ok ? "True" : "False"}\n\n\n`;
  writeFiles(dir, { "pytest.ini": "[pytest]\n", "test_s.py": body("a", true) + body("b", false) + body("c", true) });
  const command = (await detectTestCommand(dir, defaultConfig()))!;
  const workers = new WorkerPool({ root: dir, size: 1, logger: silentLogger });
  const warm = WarmPool.for(command, dir, silentLogger)!;
  try {
    const worker = await workers.acquire();
    const only = ["c", "b", "a"].map((n) => outcome(`test_s.py::test_${n}`));
    for (const executor of [undefined, warm.executorFor(worker)]) {
      writeFiles(dir, { "ran.log": "" });
      const run = await runTests(command, {
        cwd: worker.copy.root,
        displayRoot: dir,
        timeoutMs: 60_000,
        only,
        stopAtFirstFailure: true,
        ...(executor ? { executor } : {}),
      });
      expect(readFileSync(log, "utf8")).toBe("c\nb\n");
      expect(run.tests.map((t) => [t.name, t.status])).toEqual([
        ["test_s.py::test_c", "passed"],
        ["test_s.py::test_b", "failed"],
      ]);
    }
    expect(warm.stats.warmRuns).toBe(1);
  } finally {
    await warm.close();
    await workers.close();
  }
}, 120_000);

test("a candidate that passes its failing test runs the covering tests next and stops at the first regression", async () => {
  // Each test appends "<pid> <name>" to a log outside the workspace, so that the tests of each run (one process per
  // run, cold or warm) can be told apart.
  const log = join(dir, "ran.log");
  const logged = (name: string, assertion: string): string =>
    `def test_${name}():\n    with open(${JSON.stringify(log)}, "a") as f:\n        f.write(f"{os.getpid()} ${name}\\n")\n    assert ${assertion}\n\n\n`;
  const root = join(dir, "project");
  writeFiles(root, {
    "calc.py": "def double(x):\n    return x + x + 1\n\n\ndef triple(x):\n    return 3 * x\n",
    "test_calc.py":
      "import os\n\nfrom calc import double, triple\n\n\n" +
      logged("double", "double(2) == 4") +
      logged("triple_a", "triple(1) == 3") +
      logged("triple_b", "triple(2) == 6") +
      logged("z_negative", "double(-3) < 0"),
  });
  const candidate = (text: string, score: number): Candidate => ({
    text,
    score,
    generator: "template",
    editKind: "operator",
    description: text.trim(),
  });
  const report = await fixAllFailing({
    root,
    config: { ...defaultConfig(), "test.allowRun": "always", "repair.workers": 1, "repair.maxValidations": 10 },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    // The first candidate fixes the failing test and breaks the test that covers the changed line, which is
    // the last test of the file; the second is the repair.
    generate: (context) =>
      Promise.resolve(
        context.buggyText.includes("x + x + 1")
          ? [candidate("    return abs(x) * 2", 2), candidate("    return x + x", 1)]
          : [],
      ),
  });
  expect(report.status).toBe("fixed");
  expect(report.patches.map((p) => p.description)).toEqual(["return x + x"]);
  const runs = new Map<string, string[]>();
  for (const line of readFileSync(log, "utf8").trim().split("\n")) {
    const [pid, name] = line.split(" ");
    runs.set(pid!, [...(runs.get(pid!) ?? []), name!]);
  }
  // The breaking candidate's suite run started with the covering test and stopped at its failure.
  expect([...runs.values()]).toContainEqual(["z_negative"]);
  // The repair's ordered run put the covering test first and the test that failed at baseline last.
  expect([...runs.values()]).toContainEqual(["z_negative", "triple_a", "triple_b", "double"]);
}, 180_000);
