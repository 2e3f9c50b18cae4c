// The warm JUnit worker gives the verdicts of the cold path: the same per-test outcomes for the same candidates
// (buggy, fixed, not compiling) on the Java fixtures, on suites with static state, exits and hangs; a JVM that dies
// is replaced; and no process is left behind after a cancellation or when the pool closes.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import type { TestOutcome } from "../../server/pipeline/runners/outcomes.js";
import { copyProject } from "../support/fixture-bugs.js";
import { writeFiles } from "../support/workspace-copy.js";
import { Harness, fixedTexts, pidAlive, verdictView } from "../support/warm-harness.js";
import { tempDir, waitFor } from "../support/temp.js";

/** A Java fixture as a plain javac + JUnit project (its Makefile removed, so that the javac-junit runner runs it). */
function plainJavaCopy(id: string): { dir: string; dispose(): void } {
  const copy = copyProject(id);
  rmSync(join(copy.dir, "Makefile"));
  return copy;
}

describe("warm JUnit worker: the same verdicts as cold runs on the Java fixtures", () => {
  test.each([
    ["java-bank", ["src/Account.java", "src/Bank.java"]],
    ["java-stats", ["src/Stats.java"]],
  ])(
    "%s: buggy, the failing tests alone, fixed, and a candidate that does not compile",
    async (id, fixedFiles) => {
      const copy = plainJavaCopy(id);
      const harness = await Harness.open(copy.dir);
      try {
        const buggy = await harness.both({});
        expect(verdictView(buggy.warm)).toEqual(verdictView(buggy.cold));
        expect(buggy.warm.counts.failed).toBeGreaterThan(0);
        const failing: TestOutcome[] = buggy.cold.tests.filter((t) => t.status === "failed");
        const alone = await harness.both({}, { only: failing, stopAtFirstFailure: true, testDeadlineSeconds: 5 });
        expect(verdictView(alone.warm)).toEqual(verdictView(alone.cold));
        expect(alone.warm.counts).toEqual({ total: 1, failed: 1 });
        const fixed = await harness.both(fixedTexts(id, fixedFiles), { only: failing, testDeadlineSeconds: 5 });
        expect(verdictView(fixed.warm)).toEqual(verdictView(fixed.cold));
        expect(fixed.warm.counts).toEqual({ total: failing.length, failed: 0 });
        const fixedFull = await harness.both(fixedTexts(id, fixedFiles));
        expect(verdictView(fixedFull.warm)).toEqual(verdictView(fixedFull.cold));
        expect(fixedFull.warm.counts.failed).toBe(0);
        const file = fixedFiles[0]!;
        const broken = readFileSync(join(copy.dir, file), "utf8").replace(/;\s*$/m, "");
        const notCompiling = await harness.both({ [file]: broken });
        expect(verdictView(notCompiling.warm)).toEqual(verdictView(notCompiling.cold));
        expect(notCompiling.warm.kind).toBe("build-error");
        expect(harness.warm.stats).toEqual({ warmRuns: 5, coldRuns: 0, serversStarted: 1 });
      } finally {
        await harness.close();
        copy.dispose();
      }
    },
    180_000,
  );
});

describe("warm JUnit worker on hand-made suites", () => {
  let dir: string;
  const junitTest = (name: string, body: string): string =>
    `import static org.junit.Assert.*;\nimport org.junit.Test;\n\npublic class ${name} {\n${body}\n}\n`;
  beforeEach(() => {
    dir = tempDir("repair-warm-java-");
  });

  test("static state never crosses candidates, and each candidate's code is its own", async () => {
    writeFiles(dir, {
      // Every initialisation of Counter bumps a counter kept in another class that no candidate changes (so its
      // class comes from the baseline build): state leaked from a previous candidate shows as a count above 1.
      "src/Registry.java": "public class Registry {\n  static int loads = 0;\n}\n",
      "src/Counter.java":
        "public class Counter {\n  static { Registry.loads++; }\n  static final int STEP = 1;\n" +
        "  static int bump() {\n    return 1 * Registry.loads;\n  }\n}\n",
      "test/CounterTest.java": junitTest(
        "CounterTest",
        "  @Test public void bump() { assertEquals(1, Counter.bump()); }\n  @Test public void again() { Counter.bump(); assertEquals(1, Registry.loads); }",
      ),
    });
    const harness = await Harness.open(dir);
    try {
      for (const factor of ["1", "2", "1", "1"]) {
        const candidate = {
          "src/Counter.java": readFileSync(join(dir, "src/Counter.java"), "utf8").replace(
            "return 1 * Registry.loads",
            `return ${factor} * Registry.loads`,
          ),
        };
        const { cold, warm } = await harness.both(candidate);
        expect(verdictView(warm)).toEqual(verdictView(cold));
        expect(warm.counts).toEqual({ total: 2, failed: factor === "1" ? 0 : 1 });
      }
      expect(harness.warm.stats.serversStarted).toBe(1);
      // A changed constant is inlined into other classes: the worker rebuilds them all, as the cold build does.
      const constant = await harness.both({
        "src/Counter.java": readFileSync(join(dir, "src/Counter.java"), "utf8").replace("STEP = 1", "STEP = 2"),
        "test/CounterTest.java": junitTest(
          "CounterTest",
          "  @Test public void step() { assertEquals(1, Counter.STEP); }",
        ),
      });
      expect(verdictView(constant.warm)).toEqual(verdictView(constant.cold));
      expect(constant.warm.counts).toEqual({ total: 1, failed: 1 });
      // That full build became the baseline; the original code differs from it in declarations again, then a body.
      for (const factor of ["1", "3"]) {
        const { cold, warm } = await harness.both({
          "src/Counter.java": readFileSync(join(dir, "src/Counter.java"), "utf8").replace(
            "return 1 * Registry.loads",
            `return ${factor} * Registry.loads`,
          ),
        });
        expect(verdictView(warm)).toEqual(verdictView(cold));
        expect(warm.counts).toEqual({ total: 2, failed: factor === "1" ? 0 : 1 });
      }
      expect(harness.warm.stats).toEqual({ warmRuns: 7, coldRuns: 0, serversStarted: 1 });
    } finally {
      await harness.close();
    }
  }, 180_000);

  test("a candidate that calls System.exit or Runtime.halt gets the cold path's verdict, and the JVM goes on", async () => {
    writeFiles(dir, {
      "src/M.java": "public class M {\n  static int f() {\n    return 1;\n  }\n}\n",
      "test/MTest.java": junitTest(
        "MTest",
        "  @Test public void f() { assertEquals(1, M.f()); }\n  @Test public void other() { }",
      ),
    });
    const harness = await Harness.open(dir);
    try {
      for (const exit of ["System.exit(0);", "System.exit(3);", "Runtime.getRuntime().halt(0);"]) {
        const candidate = {
          "src/M.java": `public class M {\n  static int f() {\n    ${exit}\n    return 1;\n  }\n}\n`,
        };
        for (const extra of [{}, { testDeadlineSeconds: 5 }]) {
          const { cold, warm } = await harness.both(candidate, extra);
          expect(verdictView(warm)).toEqual(verdictView(cold));
        }
      }
      const after = await harness.both({});
      expect(verdictView(after.warm)).toEqual(verdictView(after.cold));
      expect(after.warm.counts).toEqual({ total: 2, failed: 0 });
      expect(harness.warm.stats.serversStarted).toBe(1);
    } finally {
      await harness.close();
    }
  }, 180_000);

  test("a test that hangs fails by its per-test deadline, warm as cold; a JVM with a thread it cannot stop is replaced", async () => {
    writeFiles(dir, {
      "src/Loop.java": "public class Loop {\n  static int spin(int n) {\n    return n;\n  }\n}\n",
      "test/LoopTest.java": junitTest(
        "LoopTest",
        "  @Test public void spins() { assertEquals(2, Loop.spin(2)); }\n  @Test public void other() { }",
      ),
    });
    const harness = await Harness.open(dir);
    try {
      const forever = {
        "src/Loop.java":
          "public class Loop {\n  static int spin(int n) {\n    while (n > 0) {\n      n = n + 1 - 1;\n    }\n    return n;\n  }\n}\n",
      };
      const run = await harness.both(forever, { testDeadlineSeconds: 1 });
      expect(verdictView(run.warm)).toEqual(verdictView(run.cold));
      expect(run.warm.counts).toEqual({ total: 2, failed: 1 });
      expect(run.warm.tests.find((t) => t.name === "LoopTest.spins")?.message).toContain("did not finish within 1 s");
      // A thread that swallows every attempt to stop it leaves the JVM unusable: the run's verdict stands, and the
      // next run gets a new JVM.
      const stubborn = {
        "src/Loop.java":
          "public class Loop {\n  static int spin(int n) {\n    while (true) {\n      try {\n        while (n > 0) { n = n + 1 - 1; }\n" +
          "      } catch (Throwable ignored) {\n      }\n    }\n  }\n}\n",
      };
      const second = await harness.both(stubborn, { testDeadlineSeconds: 1 });
      expect(verdictView(second.warm)).toEqual(verdictView(second.cold));
      const after = await harness.both({}, { testDeadlineSeconds: 1 });
      expect(verdictView(after.warm)).toEqual(verdictView(after.cold));
      expect(after.warm.counts).toEqual({ total: 2, failed: 0 });
      expect(harness.warm.stats.serversStarted).toBe(2);
      expect(harness.warm.stats.coldRuns).toBe(0);
    } finally {
      await harness.close();
    }
  }, 180_000);

  test("JUnit jars of the workspace's lib/ folder are used from the scratch copy, cold and warm", async () => {
    mkdirSync(join(dir, "lib"));
    copyFileSync("/usr/share/java/junit4.jar", join(dir, "lib", "junit4.jar"));
    copyFileSync("/usr/share/java/hamcrest-core.jar", join(dir, "lib", "hamcrest-core.jar"));
    writeFiles(dir, {
      "src/Two.java": "public class Two {\n  static int two() {\n    return 2;\n  }\n}\n",
      "test/TwoTest.java": junitTest("TwoTest", "  @Test public void two() { assertEquals(2, Two.two()); }"),
    });
    const harness = await Harness.open(dir);
    try {
      expect(harness.command.java?.classpath).toEqual(["lib/junit4.jar", "lib/hamcrest-core.jar"]);
      const { cold, warm } = await harness.both({}, { testDeadlineSeconds: 5 });
      expect(verdictView(warm)).toEqual(verdictView(cold));
      expect(warm.counts).toEqual({ total: 1, failed: 0 });
      expect(harness.warm.stats.warmRuns).toBe(1);
    } finally {
      await harness.close();
    }
  }, 180_000);

  test("a JVM that dies is replaced, and the run in hand still gets the cold path's verdict", async () => {
    const pidFile = join(dir, "jvm.pid");
    writeFiles(dir, {
      "src/P.java": "public class P {}\n",
      "test/PTest.java": junitTest(
        "PTest",
        `  @Test public void p() throws Exception {\n    java.nio.file.Files.writeString(java.nio.file.Paths.get(${JSON.stringify(pidFile)}), String.valueOf(ProcessHandle.current().pid()));\n  }`,
      ),
    });
    const harness = await Harness.open(dir);
    try {
      const first = await harness.both({});
      expect(verdictView(first.warm)).toEqual(verdictView(first.cold));
      process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
      const second = await harness.both({});
      expect(verdictView(second.warm)).toEqual(verdictView(second.cold));
      const third = await harness.both({});
      expect(verdictView(third.warm)).toEqual(verdictView(third.cold));
      expect(harness.warm.stats.serversStarted).toBe(2);
      expect(harness.warm.stats.warmRuns).toBeGreaterThanOrEqual(2);
    } finally {
      await harness.close();
    }
  }, 180_000);

  test("cancelling a warm run kills the JVM, and the next run gets a new one; closing the pool kills it", async () => {
    const pidFile = join(dir, "jvm.pid");
    writeFiles(dir, {
      "src/W.java": "public class W {}\n",
      "test/WTest.java": junitTest(
        "WTest",
        `  @Test public void waits() throws Exception {\n    java.nio.file.Files.writeString(java.nio.file.Paths.get(${JSON.stringify(pidFile)}), String.valueOf(ProcessHandle.current().pid()));\n    while (true) Thread.sleep(50);\n  }`,
      ),
    });
    const harness = await Harness.open(dir);
    try {
      const controller = new AbortController();
      const running = harness.warmRun({ signal: controller.signal });
      let written = "";
      await waitFor(
        () => {
          try {
            written = readFileSync(pidFile, "utf8");
          } catch {
            // Not written yet.
          }
          return written !== "";
        },
        { timeoutMs: 60_000 },
      );
      const jvm = Number(written);
      controller.abort();
      expect((await running).kind).toBe("cancelled");
      expect(await waitFor(() => !pidAlive(jvm))).toBe(true);
      rmSync(pidFile);
      const next = harness.warmRun({ testDeadlineSeconds: 1 });
      expect(
        await waitFor(
          () => {
            try {
              written = readFileSync(pidFile, "utf8");
              return true;
            } catch {
              return false;
            }
          },
          { timeoutMs: 60_000 },
        ),
      ).toBe(true);
      expect((await next).counts).toEqual({ total: 1, failed: 1 });
      const second = Number(written);
      expect(second).not.toBe(jvm);
      expect(harness.warm.stats.serversStarted).toBe(2);
      await harness.warm.close();
      expect(await waitFor(() => !pidAlive(second))).toBe(true);
    } finally {
      await harness.close();
    }
  }, 180_000);
});
