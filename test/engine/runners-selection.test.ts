// Test selection and order for a candidate: target failing tests first, then the tests covering the changed
// lines, then the rest; and a run that follows that order and stops at the first failure, cold and warm.
import { readFileSync, writeFileSync } from "node:fs";
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
import { Harness, verdictView } from "../support/warm-harness.js";
import { tempDir } from "../support/temp.js";
import { writeFiles } from "../support/workspace-copy.js";

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
  // Each candidate is one run: its failing test first, then the covering test, stopping at the first failure.
  expect([...runs.values()]).toContainEqual(["double", "z_negative"]);
  // The repair's run went on to the rest of the suite.
  expect([...runs.values()]).toContainEqual(["double", "z_negative", "triple_a", "triple_b"]);
  // No candidate ran its failing test alone: the only such run is the baseline's re-run of its failing test.
  expect([...runs.values()].filter((names) => names.join() === "double")).toHaveLength(1);
}, 180_000);

test("one run takes the failing tests first, the rest only when they pass, and stops at the first failure, cold and warm", async () => {
  const log = join(dir, "oracle-first.log");
  const logged = (name: string, assertion: string): string =>
    `def test_${name}():\n    with open(${JSON.stringify(log)}, "a") as f:\n        f.write("${name}\\n")\n    assert ${assertion}\n\n\n`;
  writeFiles(dir, {
    "pytest.ini": "[pytest]\npythonpath = .\n",
    "m.py": "def ok():\n    return False\n\n\ndef later():\n    return True\n",
    "test_s.py":
      "from m import later, ok\n\n\n" +
      logged("oracle", "ok()") +
      logged("a", "later()") +
      logged("b", "True") +
      logged("c", "True"),
  });
  const harness = await Harness.open(dir, "pytest");
  const only = ["oracle", "c", "a", "b"].map((n) => outcome(`test_s.py::test_${n}`));
  const ran = (): string[] => {
    const names = readFileSync(log, "utf8").trim().split("\n");
    writeFileSync(log, "");
    return names;
  };
  const candidate = (ok: string, later: string): Record<string, string> => ({
    "m.py": `def ok():\n    ${ok}\n\n\ndef later():\n    ${later}\n`,
  });
  try {
    writeFileSync(log, "");
    const cases: [Record<string, string>, string[], [string, string][]][] = [
      // The failing test still fails: nothing else runs.
      [candidate("return False", "return True"), ["oracle"], [["oracle", "failed"]]],
      // It passes, and a later test fails: the run stops there.
      [
        candidate("return True", "return False"),
        ["oracle", "c", "a"],
        [
          ["oracle", "passed"],
          ["c", "passed"],
          ["a", "failed"],
        ],
      ],
      // It passes and nothing breaks: every test runs, in the order asked.
      [
        candidate("return True", "return True"),
        ["oracle", "c", "a", "b"],
        [
          ["oracle", "passed"],
          ["c", "passed"],
          ["a", "passed"],
          ["b", "passed"],
        ],
      ],
    ];
    for (const [files, order, statuses] of cases) {
      const { cold, warm } = await harness.both(files, { only, oracleFirst: 1 });
      expect(ran()).toEqual([...order, ...order]);
      expect(verdictView(warm)).toEqual(verdictView(cold));
      expect(warm.tests.map((t) => [t.name.replace("test_s.py::test_", ""), t.status])).toEqual(statuses);
    }
    // A later test that ends the process: the run has no per-test report, cold as warm, and the server goes on.
    const exits = await harness.both(candidate("return True", "import os\n    os._exit(0)"), { only, oracleFirst: 1 });
    expect(ran()).toEqual(["oracle", "c", "a", "oracle", "c", "a"]);
    expect(verdictView(exits.warm)).toEqual(verdictView(exits.cold));
    expect(exits.warm.perTest).toBe(false);
    expect(harness.warm.stats).toMatchObject({ warmRuns: 4, serversStarted: 1 });
  } finally {
    await harness.close();
  }
}, 180_000);

test("in that one run, a failing test that hangs ends the run: a looping candidate costs one deadline", async () => {
  writeFiles(dir, {
    "pytest.ini": "[pytest]\npythonpath = .\n",
    "m.py": "def spin():\n    while True:\n        pass\n",
    "test_h.py":
      "from m import spin\n\n\ndef test_first():\n    spin()\n\n\ndef test_second():\n    spin()\n\n\n" +
      "def test_other():\n    pass\n",
  });
  const harness = await Harness.open(dir, "pytest");
  try {
    const only = ["first", "second", "other"].map((n) => outcome(`test_h.py::test_${n}`));
    const { cold, warm } = await harness.both({}, { only, oracleFirst: 2, testDeadlineSeconds: 1 });
    expect(verdictView(warm)).toEqual(verdictView(cold));
    // The second failing test never ran: a run that names every test it ran counts it as still failing.
    expect(warm.tests.map((t) => [t.name, t.status])).toEqual([["test_h.py::test_first", "failed"]]);
    expect(warm.tests[0]?.message).toContain("did not finish within 1 s");
  } finally {
    await harness.close();
  }
}, 120_000);
