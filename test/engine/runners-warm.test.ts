// Warm workers give the verdicts of the cold path: the same per-test outcomes for the same candidates, on
// fixtures and on suites that keep module-level state or call sys.exit / os._exit; and they leave no process
// behind when a run is cancelled or the pool is closed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import type { TestOutcome } from "../../server/pipeline/runners/outcomes.js";
import { projectDir } from "../support/fixture-bugs.js";
import { writeFiles } from "../support/workspace-copy.js";
import { Harness, fixedTexts, pidAlive, verdictView } from "../support/warm-harness.js";
import { tempDir, waitFor } from "../support/temp.js";

describe("pytest fork server: the same verdicts as cold runs", () => {
  test.each([
    ["py-wrap-text", ["textwrap_lite.py"]],
    ["py-shopping-cart", ["cart.py", "pricing.py"]],
  ])(
    "%s: buggy, fixed, and the failing tests alone",
    async (id, fixedFiles) => {
      const harness = await Harness.open(projectDir(id));
      try {
        const buggy = await harness.both({});
        expect(verdictView(buggy.warm)).toEqual(verdictView(buggy.cold));
        expect(buggy.warm.counts.failed).toBeGreaterThan(0);
        const failing: TestOutcome[] = buggy.cold.tests.filter((t) => t.status === "failed");
        const alone = await harness.both({}, { only: failing });
        expect(verdictView(alone.warm)).toEqual(verdictView(alone.cold));
        const fixed = await harness.both(fixedTexts(id, fixedFiles));
        expect(verdictView(fixed.warm)).toEqual(verdictView(fixed.cold));
        expect(fixed.warm.counts.failed).toBe(0);
        expect(harness.warm.stats.warmRuns).toBe(3);
        expect(harness.warm.stats.serversStarted).toBe(1);
      } finally {
        await harness.close();
      }
    },
    120_000,
  );

  test("a test that hangs fails by its per-test deadline, warm as cold", async () => {
    const harness = await Harness.open(projectDir("py-isqrt-hang"));
    try {
      const run = await harness.both({}, { testDeadlineSeconds: 1 });
      expect(verdictView(run.warm)).toEqual(verdictView(run.cold));
      expect(run.warm.tests.find((t) => t.name.endsWith("test_isqrt_of_one"))?.message).toContain(
        "did not finish within 1 s",
      );
    } finally {
      await harness.close();
    }
  }, 120_000);
});

describe("pytest fork server on hand-made suites", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir("repair-warm-");
  });

  test("module-level state never crosses candidates, and each candidate's code is its own", async () => {
    writeFiles(dir, {
      "pytest.ini": "[pytest]\npythonpath = .\n",
      // Every import of the module appends to a list kept in a module that stays loaded: leaked state shows.
      "registry.py": "seen = []\n",
      "counter.py":
        "import registry\n\nregistry.seen.append(1)\nSTEP = 1\n\n\ndef bump():\n    return STEP * len(registry.seen)\n",
      "test_counter.py": "from counter import bump\n\n\ndef test_bump():\n    assert bump() == 1\n",
    });
    const harness = await Harness.open(dir);
    try {
      for (const step of ["1", "2", "1"]) {
        const candidate = {
          "counter.py": readFileSync(join(dir, "counter.py"), "utf8").replace("STEP = 1", `STEP = ${step}`),
        };
        const { cold, warm } = await harness.both(candidate);
        expect(verdictView(warm)).toEqual(verdictView(cold));
        expect(warm.tests[0]?.status).toBe(step === "1" ? "passed" : "failed");
      }
    } finally {
      await harness.close();
    }
  }, 120_000);

  test("a candidate that calls sys.exit or os._exit gets the cold path's verdict, and the server goes on", async () => {
    writeFiles(dir, {
      "pytest.ini": "[pytest]\npythonpath = .\n",
      "m.py": "def f():\n    return 1\n",
      "test_m.py": "from m import f\n\n\ndef test_f():\n    assert f() == 1\n\n\ndef test_other():\n    pass\n",
    });
    const harness = await Harness.open(dir);
    try {
      for (const exit of ["import sys\n    sys.exit(0)", "import sys\n    sys.exit(3)", "import os\n    os._exit(0)"]) {
        const { cold, warm } = await harness.both({ "m.py": `def f():\n    ${exit}\n` });
        expect(verdictView(warm)).toEqual(verdictView(cold));
      }
      const after = await harness.both({});
      expect(verdictView(after.warm)).toEqual(verdictView(after.cold));
      expect(after.warm.counts).toEqual({ total: 2, failed: 0 });
      expect(harness.warm.stats.serversStarted).toBe(1);
    } finally {
      await harness.close();
    }
  }, 120_000);

  test("the configuration prepared in the server serves one session: a test that runs pytest itself gets its own", async () => {
    writeFiles(dir, {
      // A plugin disabled from the ini file is disabled after the prepared configuration, as in a cold run.
      "pytest.ini": "[pytest]\npythonpath = .\naddopts = -p no:doctest\n",
      "m.py": "def f():\n    return 1\n",
      "inner/test_inner.py": "def test_inner():\n    assert True\n",
      "test_m.py": [
        "import os",
        "",
        "import pytest",
        "",
        "from m import f",
        "",
        "",
        "def test_f():",
        "    assert f() == 1",
        "",
        "",
        "def test_runs_pytest():",
        "    inner = os.path.join(os.path.dirname(__file__), 'inner')",
        "    assert pytest.main(['-q', '-p', 'no:cacheprovider', inner]) == 0",
        "    assert pytest.main(['-q', '-p', 'no:cacheprovider', '-k', 'nothing', inner]) == 5",
        "",
        "",
        "def test_no_doctest(pytestconfig):",
        "    assert not pytestconfig.pluginmanager.has_plugin('doctest')",
        "",
      ].join("\n"),
    });
    const harness = await Harness.open(dir);
    try {
      for (const value of ["1", "2", "1"]) {
        const { cold, warm } = await harness.both({ "m.py": `def f():\n    return ${value}\n` });
        expect(verdictView(warm)).toEqual(verdictView(cold));
        expect(Object.fromEntries(warm.tests.map((t) => [t.name, t.status]))).toEqual({
          "inner/test_inner.py::test_inner": "passed",
          "test_m.py::test_f": value === "1" ? "passed" : "failed",
          "test_m.py::test_runs_pytest": "passed",
          "test_m.py::test_no_doctest": "passed",
        });
      }
      expect(harness.warm.stats).toMatchObject({ warmRuns: 3, serversStarted: 1 });
    } finally {
      await harness.close();
    }
  }, 120_000);

  test("a server that dies is replaced, and the run in hand still gets the cold path's verdict", async () => {
    const pids = join(dir, "server.pid");
    writeFiles(dir, {
      "pytest.ini": "[pytest]\n",
      "test_p.py": `import os\n\n\ndef test_p():\n    with open(${JSON.stringify(pids)}, "w") as f:\n        f.write(str(os.getppid()))\n`,
    });
    const harness = await Harness.open(dir);
    try {
      const first = await harness.both({});
      expect(verdictView(first.warm)).toEqual(verdictView(first.cold));
      process.kill(Number(readFileSync(pids, "utf8")), "SIGKILL");
      const second = await harness.both({});
      expect(verdictView(second.warm)).toEqual(verdictView(second.cold));
      const third = await harness.both({});
      expect(verdictView(third.warm)).toEqual(verdictView(third.cold));
      expect(harness.warm.stats.serversStarted).toBe(2);
      expect(harness.warm.stats.warmRuns).toBeGreaterThanOrEqual(2);
    } finally {
      await harness.close();
    }
  }, 120_000);

  test("cancelling a warm run kills its child; closing the pool kills the server", async () => {
    const pids = join(dir, "pids");
    writeFiles(dir, {
      "pytest.ini": "[pytest]\n",
      "test_wait.py": [
        "import os",
        "import time",
        "",
        "",
        "def test_wait():",
        `    with open(${JSON.stringify(pids)}, "w") as f:`,
        "        f.write('%d %d' % (os.getpid(), os.getppid()))",
        "    while True:",
        "        time.sleep(0.05)",
        "",
      ].join("\n"),
    });
    const harness = await Harness.open(dir);
    try {
      const controller = new AbortController();
      const running = harness.warmRun({ signal: controller.signal });
      const written = await waitFor(
        () => {
          try {
            return readFileSync(pids, "utf8");
          } catch {
            return ""; // Not written yet.
          }
        },
        { timeoutMs: 60_000, intervalMs: 50 },
      );
      const [child, server] = written.split(" ").map(Number) as [number, number];
      controller.abort();
      expect((await running).kind).toBe("cancelled");
      expect(pidAlive(child)).toBe(false);
      expect(pidAlive(server)).toBe(true);
      await harness.warm.close();
      await waitFor(() => !pidAlive(server), { timeoutMs: 2000, intervalMs: 20 });
      expect(pidAlive(server)).toBe(false);
    } finally {
      await harness.close();
    }
  }, 120_000);
});
