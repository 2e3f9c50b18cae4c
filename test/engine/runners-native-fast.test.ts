// The fast path of compiled languages (a worker's scratch copy reused across candidates, with its incremental
// build state: make's objects, CMake's build folder, Go's build cache, cargo's target folder) gives the verdicts of
// a cold run in a fresh copy: for buggy, fixed and non-compiling candidates, and for candidates that follow one
// another on the same file (no stale object may decide a verdict). Selection runs only the selected tests; ctest's
// per-test deadline fails only the test that hangs; Rust per-test coverage localises a fixture's bug.
import { readFileSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { ochiai } from "../../server/pipeline/localise/coverage.js";
import { llvmToolsForRustc, rustCoverage } from "../../server/pipeline/localise/rust-coverage.js";
import { detectTestCommand } from "../../server/pipeline/runners/detect.js";
import type { TestOutcome, TestRunResult } from "../../server/pipeline/runners/outcomes.js";
import { cargoRunner } from "../../server/pipeline/runners/plugins/cargo.js";
import { runProcess } from "../../server/pipeline/runners/process.js";
import { runTests, type RunTestsOptions } from "../../server/pipeline/runners/run-tests.js";
import type { TestCommand } from "../../server/pipeline/runners/test-command.js";
import { silentLogger } from "../../server/core/types.js";
import { WorkerPool, type Worker } from "../../server/pipeline/validate/pool.js";
import { bug, bugsDir, copyProject } from "../support/fixture-bugs.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

/** What a verdict depends on in a run: how it ended and every test's status. */
function verdictView(run: TestRunResult): unknown {
  return {
    kind: run.kind,
    perTest: run.perTest,
    counts: run.counts,
    tests: Object.fromEntries(run.tests.map((t) => [t.name, t.status])),
  };
}

type Candidate = Record<string, string>;

/** One worker whose scratch copy is reused for every candidate (the fast path), and cold runs in fresh copies. */
class Harness {
  private constructor(
    readonly root: string,
    readonly command: TestCommand,
    private readonly workers: WorkerPool,
    readonly worker: Worker,
  ) {}

  static async open(root: string): Promise<Harness> {
    const command = (await detectTestCommand(root, defaultConfig()))!;
    const workers = new WorkerPool({ root, size: 1, logger: silentLogger });
    return new Harness(root, command, workers, await workers.acquire());
  }

  private static options(worker: Worker, root: string, extra: Partial<RunTestsOptions>): RunTestsOptions {
    return {
      cwd: worker.copy.root,
      displayRoot: root,
      timeoutMs: 300_000,
      env: worker.copy.env,
      reportParent: worker.copy.dir,
      ...extra,
    };
  }

  private static async runCandidate(
    worker: Worker,
    root: string,
    command: TestCommand,
    candidate: Candidate,
    extra: Partial<RunTestsOptions>,
  ): Promise<TestRunResult> {
    await worker.copy.apply(new Map(Object.entries(candidate).map(([f, t]) => [join(root, f), t])));
    try {
      return await runTests(command, Harness.options(worker, root, extra));
    } finally {
      await worker.copy.restore();
    }
  }

  /** The candidate in the reused copy. */
  fast(candidate: Candidate, extra: Partial<RunTestsOptions> = {}): Promise<TestRunResult> {
    return Harness.runCandidate(this.worker, this.root, this.command, candidate, extra);
  }

  /** The candidate in a fresh copy with fresh caches: nothing built before can reach the verdict. */
  async cold(candidate: Candidate, extra: Partial<RunTestsOptions> = {}): Promise<TestRunResult> {
    const workers = new WorkerPool({ root: this.root, size: 1, logger: silentLogger });
    try {
      return await Harness.runCandidate(await workers.acquire(), this.root, this.command, candidate, extra);
    } finally {
      await workers.close();
    }
  }

  /** Runs a candidate on both paths and expects the same verdict; returns the fast run. */
  async same(candidate: Candidate, extra: Partial<RunTestsOptions> = {}): Promise<TestRunResult> {
    const fast = await this.fast(candidate, extra);
    const cold = await this.cold(candidate, extra);
    expect(verdictView(fast)).toEqual(verdictView(cold));
    return fast;
  }

  async close(): Promise<void> {
    await this.workers.close();
  }
}

function fixedTexts(id: string): Candidate {
  const files = [...new Set(bug(id).hunks.map((h) => h.file))];
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(bugsDir(), id, "fixed", f), "utf8")]));
}

/** The fixed text with a line that cannot compile in any of the languages here. */
function brokenTexts(id: string): Candidate {
  return Object.fromEntries(Object.entries(fixedTexts(id)).map(([f, t]) => [f, `${t}\n@@@ not code @@@\n`]));
}

/** Buggy, fixed, non-compiling, buggy again: each the verdict of a cold run; the failing tests alone. */
async function fixtureSequence(id: string): Promise<void> {
  const project = copyProject(id);
  const harness = await Harness.open(project.dir);
  try {
    const buggy = await harness.same({});
    expect(buggy.counts.failed).toBeGreaterThan(0);
    const fixed = await harness.same(fixedTexts(id));
    expect(fixed.kind).toBe("completed");
    expect(fixed.counts.failed).toBe(0);
    const broken = await harness.same(brokenTexts(id));
    expect(broken.tests.every((t) => t.status !== "passed")).toBe(true);
    const again = await harness.same({});
    expect(verdictView(again)).toEqual(verdictView(buggy));
    if (harness.command.canSelect) {
      const failing: TestOutcome[] = buggy.tests.filter((t) => t.status === "failed");
      const alone = await harness.same({}, { only: failing });
      // Only the selected tests ran, with the statuses the full run gave them.
      expect(alone.tests.map((t) => [t.name, t.status]).sort()).toEqual(failing.map((t) => [t.name, "failed"]).sort());
      const fixedAlone = await harness.same(fixedTexts(id), { only: failing });
      expect(fixedAlone.tests.map((t) => [t.name, t.status])).toEqual(failing.map((t) => [t.name, "passed"]));
    }
  } finally {
    await harness.close();
    project.dispose();
  }
}

describe("fixture bugs: the reused copy gives the verdicts of fresh copies", () => {
  test.each(["c-strtrim", "cpp-strings", "go-minmax", "rust-percent"])("%s", (id) => fixtureSequence(id), 600_000);
});

/** A C project whose Makefile builds one object per source (headers not listed) and runs a TAP test program. */
const MAKE_PROJECT: Candidate = {
  Makefile: [
    "CC := cc",
    "CFLAGS := -std=c11 -Wall -O0 -Isrc",
    "OBJS := build/calc.o build/util.o build/test_calc.o",
    "test: build/test_calc",
    "\t./build/test_calc",
    "build/test_calc: $(OBJS)",
    "\t$(CC) -o $@ $(OBJS)",
    "build/%.o: src/%.c",
    "\t@mkdir -p build",
    "\t$(CC) $(CFLAGS) -c -o $@ $<",
    "build/test_calc.o: tests/test_calc.c",
    "\t@mkdir -p build",
    "\t$(CC) $(CFLAGS) -c -o $@ $<",
    ".PHONY: test",
    "",
  ].join("\n"),
  "src/util.h": "#define SCALE 10\n#define FACTOR 2\nint twice(int x);\n",
  "src/util.c": '#include "util.h"\nint twice(int x) { return x * FACTOR; }\n',
  "src/calc.c": '#include "util.h"\nint scaled(int x) { return twice(x) * SCALE + 1; }\n',
  "tests/test_calc.c": [
    "#include <stdio.h>",
    "int twice(int x);",
    "int scaled(int x);",
    "int main(void) {",
    "  int bad = 0;",
    '  if (twice(3) == 6) printf("ok 1 - twice\\n"); else { printf("not ok 1 - twice\\n"); bad = 1; }',
    '  if (scaled(1) == 20) printf("ok 2 - scaled\\n"); else { printf("not ok 2 - scaled\\n"); bad = 1; }',
    '  printf("1..2\\n");',
    "  return bad;",
    "}",
    "",
  ].join("\n"),
};

describe("make with object files: one translation unit rebuilt, never a stale object", () => {
  let root: string;
  let harness: Harness;
  beforeAll(async () => {
    root = join(tempDir("native-make-"), "project");
    writeFiles(root, MAKE_PROJECT);
    harness = await Harness.open(root);
  }, 60_000);
  afterAll(async () => {
    await harness.close();
  });

  const objectTime = (name: string): number => statSync(join(harness.worker.copy.root, "build", name)).mtimeMs;

  test("candidate A, candidate B on the same file, then the original: cold verdicts, one object rebuilt", async () => {
    const original = await harness.same({});
    expect(original.counts).toMatchObject({ total: 2, failed: 1 });
    const utilBuilt = objectTime("util.o");
    const fixedCalc = '#include "util.h"\nint scaled(int x) { return twice(x) * SCALE; }\n';
    const a = await harness.same({ "src/calc.c": fixedCalc });
    expect(a.counts).toMatchObject({ total: 2, failed: 0 });
    const otherCalc = '#include "util.h"\nint scaled(int x) { return twice(x) + SCALE; }\n';
    const b = await harness.same({ "src/calc.c": otherCalc });
    expect(b.counts).toMatchObject({ total: 2, failed: 1 });
    const broken = await harness.same({ "src/calc.c": "int scaled(int x) { return x @ 2; }\n" });
    expect(broken.tests.every((t) => t.status !== "passed")).toBe(true);
    const back = await harness.same({});
    expect(verdictView(back)).toEqual(verdictView(original));
    // Only calc.o was rebuilt for these candidates: util.o is the one built by the first run.
    expect(objectTime("util.o")).toBe(utilBuilt);
  }, 120_000);

  test("a changed header that the Makefile does not list still reaches every object", async () => {
    // With a stale util.o, twice() would still double and its test would pass.
    const header = await harness.same({ "src/util.h": "#define SCALE 10\n#define FACTOR 3\nint twice(int x);\n" });
    expect(header.counts).toMatchObject({ total: 2, failed: 2 });
    const back = await harness.same({});
    expect(back.counts).toMatchObject({ total: 2, failed: 1 });
  }, 120_000);
});

describe("scratch copies keep the workspace's file times", () => {
  test("an object file older than its source stays older in the copy (make rebuilds it there too)", async () => {
    const root = join(tempDir("native-times-"), "project");
    writeFiles(root, { "src/calc.c": "int one(void) { return 1; }\n", "obj/calc.o": "stale object\n" });
    // The object was built an hour before the source was last edited, and a future time never survives a copy.
    const now = Date.now() / 1000;
    utimesSync(join(root, "obj/calc.o"), now - 3600, now - 3600);
    utimesSync(join(root, "src/calc.c"), now - 60, now - 60);
    const workers = new WorkerPool({ root, size: 1, logger: silentLogger });
    try {
      const copy = (await workers.acquire()).copy.root;
      const time = (dir: string, file: string): number => Math.round(statSync(join(dir, file)).mtimeMs);
      expect(time(copy, "obj/calc.o")).toBe(time(root, "obj/calc.o"));
      expect(time(copy, "src/calc.c")).toBe(time(root, "src/calc.c"));
    } finally {
      await workers.close();
    }
  });
});

/** A CMake project with three tests: one passes, one fails, one hangs. */
const CMAKE_PROJECT: Candidate = {
  "CMakeLists.txt": [
    "cmake_minimum_required(VERSION 3.10)",
    "project(limits C)",
    "enable_testing()",
    "add_library(limits src/limits.c)",
    "add_executable(check tests/check.c)",
    "target_link_libraries(check limits)",
    "add_test(NAME clamp_low COMMAND check low)",
    "add_test(NAME clamp_high COMMAND check high)",
    "add_test(NAME waits COMMAND check wait)",
    "",
  ].join("\n"),
  "src/limits.c": "int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? lo : x; }\n",
  "tests/check.c": [
    "#include <string.h>",
    "#include <unistd.h>",
    "int clamp(int x, int lo, int hi);",
    "int main(int argc, char **argv) {",
    "  if (argc < 2) return 2;",
    '  if (strcmp(argv[1], "low") == 0) return clamp(-5, 0, 9) == 0 ? 0 : 1;',
    '  if (strcmp(argv[1], "high") == 0) return clamp(50, 0, 9) == 9 ? 0 : 1;',
    "  sleep(30);",
    "  return 0;",
    "}",
    "",
  ].join("\n"),
};

describe("ctest: incremental build, selection by name, per-test deadlines", () => {
  test("verdicts equal fresh copies; -R runs only the selected; --timeout fails only the hanging test", async () => {
    const root = join(tempDir("native-ctest-"), "project");
    writeFiles(root, CMAKE_PROJECT);
    const harness = await Harness.open(root);
    try {
      expect(harness.command.kind).toBe("ctest");
      const deadline = { testDeadlineSeconds: 2 };
      const buggy = await harness.same({}, deadline);
      const statuses = Object.fromEntries(buggy.tests.map((t) => [t.name, t.status]));
      expect(statuses).toEqual({ clamp_low: "passed", clamp_high: "failed", waits: "failed" });
      expect(buggy.tests.find((t) => t.name === "waits")?.message).toContain("did not finish within 2 s");
      expect(buggy.tests.find((t) => t.name === "clamp_high")?.message).not.toContain("did not finish");
      const failing = buggy.tests.filter((t) => t.name === "clamp_high");
      const fixedText = "int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }\n";
      const fixed = await harness.same({ "src/limits.c": fixedText }, { only: failing });
      expect(fixed.tests.map((t) => [t.name, t.status])).toEqual([["clamp_high", "passed"]]);
      const back = await harness.same({}, { only: failing });
      expect(back.tests.map((t) => [t.name, t.status])).toEqual([["clamp_high", "failed"]]);
    } finally {
      await harness.close();
    }
  }, 300_000);
});

describe("cargo: a selected run builds only the targets that hold the selected tests", () => {
  const command: TestCommand = { kind: "cargo", command: "cargo test --no-fail-fast", source: "", canSelect: true };
  const shellFor = (only: TestOutcome[], base = command): string =>
    cargoRunner.invocation(base, { cwd: "/w", reportDir: "/r", only }).shell;
  const selected = (name: string, unit?: string): TestOutcome => ({
    name,
    status: "failed",
    message: "",
    selector: { test: name, ...(unit ? { unit } : {}) },
  });

  test("library, integration-test and binary targets; none when a test's binary is unknown", () => {
    expect(shellFor([selected("tests::a", "src/lib.rs")])).toBe("cargo test --lib --no-fail-fast -- tests::a --exact");
    expect(shellFor([selected("tests::a", "src/lib.rs"), selected("round_trip", "tests/codec.rs")])).toBe(
      "cargo test --lib --test codec --no-fail-fast -- tests::a round_trip --exact",
    );
    expect(shellFor([selected("main_test", "src/bin/tool.rs")])).toBe(
      "cargo test --bin tool --no-fail-fast -- main_test --exact",
    );
    expect(shellFor([selected("tests::a", "src/lib.rs"), selected("tests::b")])).toBe(
      "cargo test --no-fail-fast -- tests::a tests::b --exact",
    );
    const chosen = { ...command, command: "cargo test --no-fail-fast --test codec" };
    expect(shellFor([selected("round_trip", "tests/codec.rs")], chosen)).toBe(
      "cargo test --no-fail-fast --test codec -- round_trip --exact",
    );
  });
});

describe("go: the job's build cache", () => {
  test("GOCACHE lies in the job's private folder, never the user's", async () => {
    const project = copyProject("go-minmax");
    const harness = await Harness.open(project.dir);
    try {
      const cache = harness.worker.copy.env.GOCACHE!;
      expect(cache.startsWith(join(tmpdir(), "repair-ls-scratch"))).toBe(true);
      const userCache = await runProcess("go env GOCACHE", { cwd: project.dir, timeoutMs: 30_000 });
      expect(cache).not.toBe(userCache.stdout.trim());
      await harness.fast({});
      expect(statSync(cache).isDirectory()).toBe(true);
    } finally {
      await harness.close();
      project.dispose();
    }
  }, 300_000);
});

describe("rust: per-test coverage through -C instrument-coverage", () => {
  test("rust-percent: the failing test's lines rank the buggy line first", async () => {
    const tools = await llvmToolsForRustc(async (command) => {
      const result = await runProcess(command, { cwd: tmpdir(), timeoutMs: 30_000 });
      return result.exitCode === 0 ? result.stdout : undefined;
    });
    // The machine's setup installs LLVM tools of rustc's version (see .ci/run): without them this test must fail.
    expect(tools).toBeDefined();
    const id = "rust-percent";
    const project = copyProject(id);
    const scratch = tempDir("native-rcov-");
    try {
      const entities = await rustCoverage({
        cwd: project.dir,
        scratchDir: scratch,
        userRoot: "/user/root",
        env: { CARGO_TARGET_DIR: join(scratch, "target") },
        timeoutMs: 300_000,
        signal: new AbortController().signal,
        failing: new Set(bug(id).failingTests),
        tests: ["tests::halfway", "tests::rounds_down", "tests::empty_job_is_complete", "tests::draws_a_bar"],
      });
      const names = entities.map((e) => [e.name, e.failed]);
      expect(names).toContainEqual(["tests::empty_job_is_complete", true]);
      expect(names).toContainEqual(["tests::halfway", false]);
      const file = join("/user/root", bug(id).hunks[0]!.file);
      const buggyLine = bug(id).hunks[0]!.startLine;
      for (const entity of entities) expect(entity.lines.get(file)?.has(buggyLine)).toBe(true);
      // Localisation ranks code, not the tests module of the same file (which the failing test alone runs).
      const text = readFileSync(join(project.dir, "src", "lib.rs"), "utf8").split("\n");
      const testsStart = text.findIndex((l) => l.includes("#[cfg(test)]"));
      const scores = [...ochiai(entities).get(file)!].filter(([line]) => line < testsStart);
      const best = Math.max(...scores.map(([, score]) => score));
      expect(new Map(scores).get(buggyLine)).toBe(best);
      // Lines only the passing tests run (the progress bar) rank below it.
      const barLine = text.findIndex((l) => l.includes("let filled"));
      expect(new Map(scores).get(barLine) ?? 0).toBeLessThan(best);
    } finally {
      project.dispose();
    }
  }, 600_000);
});
