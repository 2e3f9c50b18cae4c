// Hanging tests are failing tests: a baseline run that exceeds its timeout is run again with per-test deadlines
// (pytest, through the shipped plugin) so that the tests that hang fail and the others report; runners without
// per-test deadlines get one synthetic failing test, the whole command, that passes in any run that terminates.
import { beforeEach, describe, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { candidateTestDeadlineSeconds, runBaseline, type Baseline } from "../../server/pipeline/baseline.js";
import { SourceFiles } from "../../server/pipeline/localise/source-files.js";
import { detectTestCommand } from "../../server/pipeline/runners/detect.js";
import { runTests } from "../../server/pipeline/runners/run-tests.js";
import type { TestCommand } from "../../server/pipeline/runners/test-command.js";
import { silentLogger } from "../../server/core/types.js";
import { WorkerPool } from "../../server/pipeline/validate/pool.js";
import { listWorkspaceFiles } from "../../server/pipeline/workspace-files.js";
import { bug, projectDir } from "../support/fixture-bugs.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

/** Runs the baseline of a workspace in a scratch copy, with a short whole-run timeout. */
async function baselineOf(root: string, timeoutMs: number, hangDeadlineSeconds?: number): Promise<Baseline> {
  const command = (await detectTestCommand(root, defaultConfig()))!;
  const pool = new WorkerPool({ root, size: 1, logger: silentLogger });
  try {
    return await runBaseline({
      command,
      worker: await pool.acquire(),
      root,
      sources: new SourceFiles(root, await listWorkspaceFiles(root)),
      timeoutMs,
      ...(hangDeadlineSeconds !== undefined ? { hangDeadlineSeconds } : {}),
      signal: new AbortController().signal,
      logger: silentLogger,
    });
  } finally {
    await pool.close();
  }
}

describe("a pytest suite whose tests loop forever (fixture py-isqrt-hang)", () => {
  test("the baseline completes, with the hanging tests as its failing tests", async () => {
    const id = "py-isqrt-hang";
    // The whole-run timeout is generous for a loaded machine: the run with deadlines must still end within it.
    const baseline = await baselineOf(projectDir(id), 15_000, 1);
    expect(baseline.run.kind).toBe("completed");
    expect(baseline.oracle.map((t) => t.name).sort()).toEqual([...bug(id).failingTests].sort());
    expect([...baseline.hanging].sort()).toEqual([...bug(id).failingTests].sort());
    for (const t of baseline.oracle) expect(t.message).toContain("did not finish within 1 s");
    // The tests that finished still report, so regressions can be told and localisation has passing tests.
    expect(baseline.passing.map((t) => t.name)).toContain("tests/test_roots.py::test_isqrt_of_a_perfect_square");
    expect(baseline.passing).toHaveLength(4);
    // Candidates run with a per-test deadline derived from the tests that finished, not from the hanging ones.
    expect(baseline.candidateRuns.testDeadlineSeconds).toBe(candidateTestDeadlineSeconds(baseline.testSeconds));
    for (const name of baseline.hanging) expect(baseline.testSeconds.has(name)).toBe(false);
    expect(baseline.coverage?.some((e) => e.failed)).toBe(true);
  }, 120_000);
});

describe("runners without per-test deadlines", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir("repair-hang-");
  });

  test("a whole command that does not finish is one synthetic failing test, passed by any run that ends", async () => {
    writeFiles(dir, {
      Makefile: "test:\n\t@echo 'ok 1 - first'\n\t@sh ./spin.sh\n",
      "spin.sh": "while :; do :; done\n",
    });
    const baseline = await baselineOf(dir, 1_500);
    const command: TestCommand = { kind: "make", command: "make test", source: "Makefile", canSelect: false };
    const name = "make test (terminates)";
    expect(baseline.run.kind).toBe("completed");
    expect(baseline.oracle.map((t) => t.name)).toEqual([name]);
    expect(baseline.oracle[0]?.message).toBe("did not finish within 2 s");
    expect(baseline.hanging).toEqual([name]);
    expect(baseline.candidateRuns).toEqual({ terminationTest: name });

    // A candidate that ends the loop: its run carries the synthetic test, passed, next to the real ones.
    writeFiles(dir, { "spin.sh": "exit 0\n" });
    const fixed = await runTests(command, {
      cwd: dir,
      displayRoot: dir,
      timeoutMs: 30_000,
      ...baseline.candidateRuns,
    });
    expect(fixed.tests.map((t) => [t.name, t.status])).toEqual([
      ["first", "passed"],
      [name, "passed"],
    ]);
  }, 60_000);
});

describe("per-test deadlines of candidates", () => {
  test("a multiple of the slowest test that finished, with a floor", () => {
    expect(candidateTestDeadlineSeconds(new Map())).toBe(5);
    expect(candidateTestDeadlineSeconds(new Map([["a", 0.01]]))).toBe(5);
    expect(
      candidateTestDeadlineSeconds(
        new Map([
          ["a", 0.01],
          ["b", 3],
        ]),
      ),
    ).toBe(15);
  });

  test("a pytest baseline that finishes gives candidates a per-test deadline too, and finds nothing hanging", async () => {
    const dir = tempDir("repair-hang-");
    writeFiles(dir, {
      "pytest.ini": "[pytest]\n",
      "test_a.py": "def test_ok():\n    pass\n\n\ndef test_bad():\n    assert 1 == 2\n",
    });
    const baseline = await baselineOf(dir, 60_000);
    expect(baseline.oracle.map((t) => t.name)).toEqual(["test_a.py::test_bad"]);
    expect(baseline.hanging).toEqual([]);
    expect([...baseline.testSeconds.keys()].sort()).toEqual(["test_a.py::test_bad", "test_a.py::test_ok"]);
    expect(baseline.candidateRuns).toEqual({
      testDeadlineSeconds: candidateTestDeadlineSeconds(baseline.testSeconds),
    });
  }, 60_000);

  test("pytest fails the one test that runs past the deadline, and goes on", async () => {
    const dir = tempDir("repair-hang-");
    writeFiles(dir, {
      "pytest.ini": "[pytest]\n",
      // A broad `except Exception` must not swallow the deadline.
      "test_a.py":
        "def test_spins():\n    while True:\n        try:\n            pass\n        except Exception:\n            pass\n\n\n" +
        "def test_after():\n    pass\n",
    });
    const command = (await detectTestCommand(dir, defaultConfig()))!;
    const run = await runTests(command, { cwd: dir, displayRoot: dir, timeoutMs: 60_000, testDeadlineSeconds: 0.5 });
    expect(run.kind).toBe("completed");
    const byName = Object.fromEntries(run.tests.map((t) => [t.name, t]));
    expect(byName["test_a.py::test_spins"]?.status).toBe("failed");
    expect(byName["test_a.py::test_spins"]?.message).toContain("did not finish within 0.5 s");
    expect(byName["test_a.py::test_after"]?.status).toBe("passed");
  }, 60_000);
});

describe("go: -timeout as the deadline of a test binary", () => {
  let dir: string;
  const source = (start: number): string =>
    `package loop\n\nfunc Start() int {\n\treturn ${start}\n}\n\nfunc Spin(n int) int {\n\tfor n > 0 {\n\t\tn = n + 0\n\t}\n\treturn n\n}\n`;
  const slowTest = (name: string): string =>
    `func Test${name}(t *testing.T) {\n\ttime.Sleep(400 * time.Millisecond)\n}\n\n`;
  beforeEach(() => {
    dir = tempDir("repair-hang-go-");
    writeFiles(dir, {
      "go.mod": "module example.com/loop\n\ngo 1.19\n",
      "loop.go": source(0),
      "loop_test.go":
        'package loop\n\nimport "testing"\n\nfunc TestFast(t *testing.T) {\n\tif Spin(0) != 0 {\n\t\tt.Fatal("no")\n\t}\n}\n\n' +
        'func TestSpin(t *testing.T) {\n\tif Spin(Start()) != 0 {\n\t\tt.Fatal("no")\n\t}\n}\n',
      // Three tests of 0.4 s in one binary: 1.2 s together, which the candidates' deadline must leave room for.
      "slow/slow_test.go":
        'package slow\n\nimport (\n\t"testing"\n\t"time"\n)\n\n' + slowTest("A") + slowTest("B") + slowTest("C"),
    });
  });
  test("a looping candidate costs one deadline and fails the test it was running; the baseline derives it per binary", async () => {
    const baseline = await baselineOf(dir, 120_000);
    expect(baseline.run.kind).toBe("completed");
    expect(baseline.oracle).toEqual([]);
    // Five times the slowest binary (1.2 s and more), where five times the slowest test (0.4 s) is only the floor.
    const deadline = baseline.candidateRuns.testDeadlineSeconds!;
    expect(deadline).toBeGreaterThanOrEqual(6);
    expect(candidateTestDeadlineSeconds(baseline.testSeconds)).toBe(5);

    writeFiles(dir, { "loop.go": source(1) });
    const command = (await detectTestCommand(dir, defaultConfig()))!;
    const started = performance.now();
    const run = await runTests(command, { cwd: dir, displayRoot: dir, timeoutMs: 120_000, testDeadlineSeconds: 2 });
    const seconds = (performance.now() - started) / 1000;
    expect(run.kind).toBe("completed");
    const byName = Object.fromEntries(run.tests.map((t) => [t.name, t]));
    expect(byName["example.com/loop.TestSpin"]?.status).toBe("failed");
    expect(byName["example.com/loop.TestSpin"]?.message).toMatch(/^did not finish within 2 s\n/);
    expect(byName["example.com/loop.TestFast"]?.status).toBe("passed");
    expect(byName["example.com/loop/slow.TestA"]?.status).toBe("passed");
    // One deadline, not the run's timeout (compiling takes a few seconds on a loaded machine).
    expect(seconds).toBeLessThan(60);
  }, 180_000);
});
