// Real runs of each runner on tiny projects: per-test outcomes, and selecting the failing tests alone.
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { detectTestCommand } from "../../server/pipeline/runners/detect.js";
import type { TestRunResult } from "../../server/pipeline/runners/outcomes.js";
import { runTests } from "../../server/pipeline/runners/run-tests.js";
import { repoRoot } from "../support/fixture-bugs.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

let dir: string;
beforeEach(() => {
  dir = tempDir("repair-runner-");
});

function write(files: Record<string, string>): void {
  writeFiles(dir, files);
}

const statuses = (run: TestRunResult): Record<string, string> =>
  Object.fromEntries(run.tests.filter((t) => t.status !== "skipped").map((t) => [t.name, t.status]));

/** Runs the detected command, then the failing tests alone; returns both runs. */
async function fullThenFailing(): Promise<{ full: TestRunResult; failing: TestRunResult }> {
  const command = (await detectTestCommand(dir, defaultConfig()))!;
  const options = { cwd: dir, displayRoot: dir, timeoutMs: 120_000, env: { CARGO_TARGET_DIR: join(dir, "target") } };
  const full = await runTests(command, options);
  const failing = await runTests(command, { ...options, only: full.tests.filter((t) => t.status === "failed") });
  return { full, failing };
}

test("pytest", async () => {
  write({
    "pytest.ini": "[pytest]\n",
    "test_a.py": "def test_ok():\n    pass\n\n\ndef test_bad():\n    assert 1 == 2\n",
  });
  const { full, failing } = await fullThenFailing();
  expect(statuses(full)).toEqual({ "test_a.py::test_ok": "passed", "test_a.py::test_bad": "failed" });
  expect(statuses(failing)).toEqual({ "test_a.py::test_bad": "failed" });
});

test("node --test", async () => {
  write({
    "package.json": JSON.stringify({ type: "module", scripts: { test: "node --test test/" } }),
    "test/a.test.js": [
      "import test from 'node:test';",
      "import assert from 'node:assert';",
      "test('ok', () => {});",
      "test('bad one', () => assert.equal(1, 2));",
    ].join("\n"),
  });
  const { full, failing } = await fullThenFailing();
  expect(statuses(full)).toEqual({ ok: "passed", "bad one": "failed" });
  expect(statuses(failing)).toEqual({ "bad one": "failed" });
});

test("vitest through npm test, with its JSON reporter", async () => {
  symlinkSync(join(repoRoot(), "node_modules"), join(dir, "node_modules"), "dir");
  write({
    "package.json": JSON.stringify({ type: "module", scripts: { test: "vitest run" } }),
    "a.test.js":
      "import { test, expect } from 'vitest';\ntest('ok', () => {});\ntest('bad', () => expect(1).toBe(2));\n",
  });
  const { full, failing } = await fullThenFailing();
  expect(statuses(full)).toEqual({ ok: "passed", bad: "failed" });
  expect(statuses(failing)).toEqual({ bad: "failed" });
});

test("go test -json", async () => {
  write({
    "go.mod": "module example.com/r\n\ngo 1.19\n",
    "a_test.go":
      'package r\n\nimport "testing"\n\nfunc TestOk(t *testing.T) {}\n\nfunc TestBad(t *testing.T) { t.Fatal("no") }\n',
  });
  const { full, failing } = await fullThenFailing();
  expect(statuses(full)).toEqual({ "example.com/r.TestOk": "passed", "example.com/r.TestBad": "failed" });
  expect(statuses(failing)).toEqual({ "example.com/r.TestBad": "failed" });
});

test("cargo test", async () => {
  write({
    "Cargo.toml": '[package]\nname = "r"\nversion = "0.1.0"\nedition = "2021"\n',
    "src/lib.rs":
      "#[cfg(test)]\nmod tests {\n    #[test]\n    fn ok() {}\n    #[test]\n    fn bad() { assert_eq!(1, 2); }\n}\n",
  });
  const { full, failing } = await fullThenFailing();
  expect(statuses(full)).toEqual({ "tests::ok": "passed", "tests::bad": "failed" });
  expect(statuses(failing)).toEqual({ "tests::bad": "failed" });
});

test("plain javac with JUnit 4: failures named, passes counted, single methods selected", async () => {
  write({
    "src/Calc.java": "public class Calc { static int one() { return 1; } }\n",
    "test/CalcTest.java":
      "import static org.junit.Assert.assertEquals;\nimport org.junit.Test;\n" +
      "public class CalcTest {\n  @Test public void ok() { assertEquals(1, Calc.one()); }\n" +
      "  @Test public void bad() { assertEquals(2, Calc.one()); }\n}\n",
    "test/OtherTest.java": "import org.junit.Test;\npublic class OtherTest {\n  @Test public void fine() {}\n}\n",
  });
  const { full, failing } = await fullThenFailing();
  expect(statuses(full)).toEqual({ "CalcTest.bad": "failed" });
  expect(full.counts).toEqual({ total: 3, failed: 1 });
  // Only the failing method runs (RepairJUnitRunner selects Class#method), not its whole class.
  expect(failing.counts).toEqual({ total: 1, failed: 1 });
});

test("make test with TAP lines, and a compile error", async () => {
  write({
    Makefile: "test:\n\tcc -o t t.c && ./t\n",
    "t.c": '#include <stdio.h>\nint main(void) { printf("ok 1 - one\\nnot ok 2 - two\\n1..2\\n"); return 1; }\n',
  });
  const { full } = await fullThenFailing();
  expect(statuses(full)).toEqual({ one: "passed", two: "failed" });
  write({ "t.c": "int main(void) { return undefined_thing; }\n" });
  const broken = await runTests((await detectTestCommand(dir, defaultConfig()))!, {
    cwd: dir,
    displayRoot: dir,
    timeoutMs: 60_000,
  });
  expect(broken.kind).toBe("build-error");
  expect(broken.problem).toMatch(/undefined_thing/);
});
