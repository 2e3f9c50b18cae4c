// Warm mocha, jest and vitest (runners/warm/js_runner_warm_server.mjs) give the verdicts of the cold `npm test`:
// the same per-test outcomes for the same candidates on a suite that keeps module-level state (across test files
// and across candidates), for candidates that call process.exit, throw at import time or hang, with test selection;
// a cancelled run leaves no process behind; and a warm verdict that lies is overruled by the cold confirmation.
// Real mocha, jest and vitest (the repository's pinned development dependencies) run every test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { silentLogger, silentProgress, type Candidate } from "../../server/core/types.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import type { TestOutcome } from "../../server/pipeline/runners/outcomes.js";
import type { TestExecutor } from "../../server/pipeline/runners/run-tests.js";
import { WarmPool } from "../../server/pipeline/runners/warm/warm-pool.js";
import type { Worker } from "../../server/pipeline/validate/pool.js";
import { writeRunnerProject, type JsRunner } from "../support/js-runner-project.js";
import { tempDir, waitFor } from "../support/temp.js";
import { Harness, pidAlive, verdictView } from "../support/warm-harness.js";

const COUNTER = [
  'const { seen } = require("./registry.js");',
  "",
  "// Every load of this module shows: in a list kept by another module, and on globalThis.",
  "seen.push(1);",
  "globalThis.loads = (globalThis.loads ?? 0) + 1;",
  "const STEP = 1;",
  "",
  "exports.bump = () => STEP * seen.length * globalThis.loads;",
  "",
].join("\n");

function suite(name: string): string {
  return [
    'const assert = require("node:assert/strict");',
    'const { bump } = require("../src/counter.js");',
    "",
    `describe(${JSON.stringify(name)}, () => {`,
    '  it("bumps once", () => {',
    "    assert.equal(bump(), 1);",
    "  });",
    '  it("stays", () => {',
    "    assert.ok(true);",
    "  });",
    "});",
    "",
  ].join("\n");
}

const STATEFUL = {
  "src/registry.js": "exports.seen = [];\n",
  "src/counter.js": COUNTER,
  "test/first.test.js": suite("first"),
  "test/second.test.js": suite("second"),
};

/** The test scripts: vitest with its describe/it globals, as mocha and jest have them. */
const SCRIPT: Record<JsRunner, string> = { mocha: "mocha", jest: "jest", vitest: "vitest --globals" };

let dir: string;
beforeEach(() => {
  dir = tempDir("repair-warm-runner-");
});

describe.each(["mocha", "jest", "vitest"] as const)("warm %s", (runner: JsRunner) => {
  test("module-level state never crosses candidates; selected runs agree too", async () => {
    writeRunnerProject(dir, runner, SCRIPT[runner], STATEFUL);
    const harness = await Harness.open(dir, runner);
    try {
      for (const step of ["1", "2", "1", "1"]) {
        const { cold, warm } = await harness.both({ "src/counter.js": COUNTER.replace("STEP = 1", `STEP = ${step}`) });
        expect(verdictView(warm)).toEqual(verdictView(cold));
        expect(warm.perTest).toBe(true);
        expect(warm.counts).toEqual({ total: 4, failed: step === "1" ? 0 : 2 });
      }
      const broken = await harness.both({ "src/counter.js": COUNTER.replace("STEP = 1", "STEP = 3") });
      const failing: TestOutcome[] = broken.cold.tests.filter((t) => t.status === "failed");
      expect(failing).toHaveLength(2);
      const alone = await harness.both({}, { only: failing });
      expect(verdictView(alone.warm)).toEqual(verdictView(alone.cold));
      expect(alone.warm.counts).toEqual({ total: 2, failed: 0 });
      expect(harness.warm.stats).toEqual({ warmRuns: 6, coldRuns: 0, serversStarted: 1 });
    } finally {
      await harness.close();
    }
  }, 300_000);

  test("a candidate that calls process.exit or throws at import time gets the cold verdict; the server goes on", async () => {
    writeRunnerProject(dir, runner, SCRIPT[runner], {
      "src/m.js": "exports.f = () => 1;\n",
      "test/m.test.js": [
        'const assert = require("node:assert/strict");',
        'const { f } = require("../src/m.js");',
        "",
        'describe("m", () => {',
        '  it("f", () => {',
        "    assert.equal(f(), 1);",
        "  });",
        '  it("other", () => {});',
        "});",
        "",
      ].join("\n"),
    });
    const harness = await Harness.open(dir, runner);
    try {
      const candidates = [
        "exports.f = () => {\n  process.exit(0);\n};\n",
        "exports.f = () => {\n  process.exit(3);\n};\n",
        'throw new Error("broken at import");\n',
      ];
      for (const text of candidates) {
        const { cold, warm } = await harness.both({ "src/m.js": text });
        expect(verdictView(warm)).toEqual(verdictView(cold));
      }
      // Both exits went cold where the candidate runs in the warm worker itself; vitest runs test files in its own
      // pool processes, which report an exit as an error of the file, warm as cold.
      expect(harness.warm.stats.coldRuns).toBeGreaterThanOrEqual(runner === "vitest" ? 0 : 2);
      const warmBefore = harness.warm.stats.warmRuns;
      const after = await harness.both({});
      expect(verdictView(after.warm)).toEqual(verdictView(after.cold));
      expect(after.warm.counts).toEqual({ total: 2, failed: 0 });
      expect(harness.warm.stats.warmRuns).toBe(warmBefore + 1);
      expect(harness.warm.stats.serversStarted).toBe(1);
    } finally {
      await harness.close();
    }
  }, 300_000);

  test("a hanging candidate times out as cold, and a new server serves the next run", async () => {
    writeRunnerProject(dir, runner, SCRIPT[runner], {
      "src/m.js": "exports.f = () => 1;\n",
      "test/m.test.js": [
        'const assert = require("node:assert/strict");',
        'const { f } = require("../src/m.js");',
        "",
        'it("f", () => {',
        "  assert.equal(f(), 1);",
        "});",
        "",
      ].join("\n"),
    });
    const harness = await Harness.open(dir, runner);
    try {
      const hang = await harness.both({ "src/m.js": "exports.f = () => {\n  for (;;) {}\n};\n" }, { timeoutMs: 8_000 });
      expect(hang.warm.kind).toBe("timeout");
      expect(verdictView(hang.warm)).toEqual(verdictView(hang.cold));
      const after = await harness.both({});
      expect(verdictView(after.warm)).toEqual(verdictView(after.cold));
      expect(after.warm.counts).toEqual({ total: 1, failed: 0 });
      expect(harness.warm.stats.serversStarted).toBe(2);
    } finally {
      await harness.close();
    }
  }, 300_000);

  test("cancelling a warm run kills the server and what the test started", async () => {
    const pidFile = join(dir, "pids");
    writeRunnerProject(dir, runner, SCRIPT[runner], {
      "test/wait.test.js": [
        'const { spawn } = require("node:child_process");',
        'const { writeFileSync } = require("node:fs");',
        "",
        'it("waits", async () => {',
        '  const child = spawn("sleep", ["1000"], { stdio: "ignore" });',
        `  writeFileSync(${JSON.stringify(pidFile)}, \`\${process.pid} \${child.pid}\`);`,
        "  await new Promise(() => setInterval(() => undefined, 1000));",
        "});",
        "",
      ].join("\n"),
    });
    const harness = await Harness.open(dir, runner);
    try {
      const controller = new AbortController();
      const running = harness.warmRun({ signal: controller.signal });
      expect(await waitFor(() => readPids(pidFile) !== undefined, { timeoutMs: 120_000 })).toBe(true);
      const [server, sleeper] = readPids(pidFile)!;
      expect(pidAlive(sleeper)).toBe(true);
      controller.abort();
      expect((await running).kind).toBe("cancelled");
      expect(await waitFor(() => !pidAlive(server) && !pidAlive(sleeper))).toBe(true);
    } finally {
      await harness.close();
    }
  }, 300_000);
});

function readPids(path: string): [number, number] | undefined {
  try {
    const [a, b] = readFileSync(path, "utf8").split(" ").map(Number);
    return a && b ? [a, b] : undefined;
  } catch {
    return undefined;
  }
}

describe.each(["mocha", "jest", "vitest"] as const)("warm %s behind the cold confirmation", (runner: JsRunner) => {
  let fixedRoot: string;
  beforeEach(() => {
    fixedRoot = tempDir("repair-warm-runner-fixed-");
  });

  const BUGGY = "exports.double = (x) => x + x + 1;\n";
  const TESTS = [
    'const assert = require("node:assert/strict");',
    'const { double } = require("../src/calc.js");',
    "",
    'describe("double", () => {',
    '  it("doubles two", () => {',
    "    assert.equal(double(2), 4);",
    "  });",
    '  it("doubles zero", () => {',
    "    assert.equal(double(0), 0);",
    "  });",
    "});",
    "",
  ].join("\n");

  /**
   * A warm pool that lies: its real warm server serves a copy of the workspace that holds the real fix, so
   * every candidate looks like a repair (stale state, as a leaky warm worker could have).
   */
  function lyingPool(): { pool: WarmPool; close: () => Promise<void> } {
    const command = {
      kind: runner,
      command: "npm test",
      source: "package.json scripts.test",
      canSelect: true,
    };
    const real = WarmPool.for(command, fixedRoot, silentLogger)!;
    const worker = { id: 0, copy: { root: fixedRoot, dir: fixedRoot }, runs: 0 } as unknown as Worker;
    const warmExecutor = real.executorFor(worker);
    const lying: TestExecutor = (invocation, options) => warmExecutor(invocation, { ...options, cwd: fixedRoot });
    const pool = {
      executorFor: () => lying,
      close: () => Promise.resolve(),
      stats: real.stats,
    } as unknown as WarmPool;
    return { pool, close: () => real.close() };
  }

  test("a lying warm verdict is overruled by the cold confirmation: nothing is reported", async () => {
    writeRunnerProject(dir, runner, SCRIPT[runner], { "src/calc.js": BUGGY, "test/calc.test.js": TESTS });
    writeRunnerProject(fixedRoot, runner, SCRIPT[runner], {
      "src/calc.js": "exports.double = (x) => x + x;\n",
      "test/calc.test.js": TESTS,
    });
    const { pool, close } = lyingPool();
    try {
      const candidate: Candidate = {
        text: "exports.double = (x) => x + x + 2;",
        score: 1,
        generator: "template",
        editKind: "operator",
        description: "`1` -> `2`",
      };
      const report = await fixAllFailing({
        root: dir,
        config: { ...defaultConfig(), "test.allowRun": "always", "repair.workers": 1, "repair.maxValidations": 10 },
        logger: silentLogger,
        progress: silentProgress,
        signal: new AbortController().signal,
        generate: (context) => Promise.resolve(context.buggyText.includes("x + x + 1") ? [candidate] : []),
        warm: () => pool,
      });
      // The lie was told warm (the server ran), and the cold run overruled it.
      expect(pool.stats.warmRuns).toBeGreaterThan(0);
      expect(report.patches).toEqual([]);
      expect(report.status).toBe("unfixed");
      expect(report.notes).toContain("validation: cold runs overruled 1 warm verdict (the cold verdict is reported)");
    } finally {
      await close();
    }
  }, 300_000);
});
