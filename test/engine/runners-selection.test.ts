// Test selection and order for a candidate: target failing tests first, then the tests covering the changed
// lines, then the rest; and a run that follows that order and stops at the first failure, cold and warm.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { defaultConfig } from "../../server/config/schema.js";
import type { SpectrumEntity } from "../../server/pipeline/localise/coverage.js";
import { detectTestCommand } from "../../server/pipeline/runners/detect.js";
import type { TestOutcome } from "../../server/pipeline/runners/outcomes.js";
import { runTests } from "../../server/pipeline/runners/run-tests.js";
import { orderTestsForCandidate } from "../../server/pipeline/runners/selection.js";
import { WarmPool } from "../../server/pipeline/runners/warm/warm-pool.js";
import { silentLogger } from "../../server/pipeline/types.js";
import { WorkerPool } from "../../server/pipeline/validate/pool.js";
import { removeDir, writeFiles } from "../support/workspace-copy.js";

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
  dir = mkdtempSync(join(tmpdir(), "repair-select-"));
});
afterEach(() => removeDir(dir));

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
