// Warm node --test workers (runners/warm/node_warm_server.mjs) give the verdicts of the cold path: the same per-test
// outcomes for the same candidates, on JavaScript and TypeScript fixtures (node --test directly and through
// `npm test`, with `tsc &&`) and on suites that keep module-level state, call process.exit, throw at import time or
// hang; a server that dies is replaced; and no process is left behind when a run is cancelled or the pool closed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import type { TestOutcome } from "../../server/pipeline/runners/outcomes.js";
import { copyProject } from "../support/fixture-bugs.js";
import { writeFiles } from "../support/workspace-copy.js";
import { Harness, fixedTexts, pidAlive, verdictView } from "../support/warm-harness.js";
import { tempDir, waitFor } from "../support/temp.js";

/** The text of a file another process writes, once it is there (empty when it never comes). */
async function readWhenWritten(path: string): Promise<string> {
  const written = (): string => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return ""; // Not written yet.
    }
  };
  return waitFor(written, { timeoutMs: 60_000, intervalMs: 50 });
}

describe("node --test warm server: the same verdicts as cold runs on fixtures", () => {
  test.each([
    ["js-pad", "node-test", ["src/pad.js"]],
    ["js-lru-cache", "node-test", ["src/lru.js"]],
    ["ts-histogram", "npm", ["src/histogram.ts"]],
    ["ts-invoice", "npm", ["src/invoice.ts", "src/money.ts"]],
  ] as const)(
    "%s (%s): buggy, fixed, and the failing tests alone",
    async (id, kind, fixedFiles) => {
      const project = copyProject(id);
      const harness = await Harness.open(project.dir, kind);
      try {
        const buggy = await harness.both({});
        expect(verdictView(buggy.warm)).toEqual(verdictView(buggy.cold));
        expect(buggy.warm.kind).toBe("completed");
        expect(buggy.warm.counts.failed).toBeGreaterThan(0);
        const failing: TestOutcome[] = buggy.cold.tests.filter((t) => t.status === "failed");
        const alone = await harness.both({}, { only: failing });
        expect(verdictView(alone.warm)).toEqual(verdictView(alone.cold));
        const fixed = await harness.both(fixedTexts(id, fixedFiles));
        expect(verdictView(fixed.warm)).toEqual(verdictView(fixed.cold));
        expect(fixed.warm.counts.failed).toBe(0);
        expect(harness.warm.stats.warmRuns).toBe(3);
        expect(harness.warm.stats.coldRuns).toBe(0);
        expect(harness.warm.stats.serversStarted).toBe(1);
      } finally {
        await harness.close();
        project.dispose();
      }
    },
    240_000,
  );

  test("a TypeScript candidate with a syntax error is a build error, warm as cold (tsc's output)", async () => {
    const project = copyProject("ts-histogram");
    const harness = await Harness.open(project.dir, "npm");
    try {
      const source = readFileSync(join(project.dir, "src/histogram.ts"), "utf8");
      const { cold, warm } = await harness.both({ "src/histogram.ts": `${source}\nexport const broken = (;\n` });
      expect(warm.kind).toBe("build-error");
      expect(verdictView(warm)).toEqual(verdictView(cold));
      expect(warm.output).toMatch(/error TS\d+:/);
      // The previous candidate's output does not linger: the buggy source runs again, fresh.
      const after = await harness.both({});
      expect(verdictView(after.warm)).toEqual(verdictView(after.cold));
      expect(after.warm.kind).toBe("completed");
      expect(harness.warm.stats.coldRuns).toBe(0);
    } finally {
      await harness.close();
      project.dispose();
    }
  }, 240_000);
});

describe("node --test warm server on hand-made suites", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir("repair-warm-js-");
  });

  const packageJson = JSON.stringify({ name: "w", type: "module", scripts: { test: "node --test test/" } });

  test.each(["node --test test/", "node --test", "node --test other/ test/a.test.js"])(
    "the warm server finds the test files `%s` finds",
    async (script) => {
      const files = ["test/helper.js", "test/a.test.js", "test/sub/b.js", "test/sub/test-c.js"];
      const more = ["other/x.js", "other/test/y.js", "other/z_test.mjs", "other/notes.txt"];
      writeFiles(dir, {
        "package.json": JSON.stringify({ name: "w", type: "module", scripts: { test: script } }),
        ...Object.fromEntries(
          [...files, ...more].map((f) => [
            f,
            `import test from "node:test";\nimport assert from "node:assert/strict";\n\ntest(${JSON.stringify(f)}, () => {\n  assert.ok(${f.includes("b.js") ? "false" : "true"});\n});\n`,
          ]),
        ),
      });
      const harness = await Harness.open(dir, "node-test");
      try {
        const { cold, warm } = await harness.both({});
        expect(verdictView(warm)).toEqual(verdictView(cold));
        expect(cold.counts.total).toBeGreaterThanOrEqual(2);
        expect(harness.warm.stats.warmRuns).toBe(1);
      } finally {
        await harness.close();
      }
    },
    120_000,
  );

  test("module-level state never crosses candidates, and each candidate's code is its own", async () => {
    writeFiles(dir, {
      "package.json": packageJson,
      // Every load of the module appends to a list kept in another module and on globalThis: leaked state shows.
      "src/registry.js": "export const seen = [];\n",
      "src/counter.js":
        'import { seen } from "./registry.js";\n\nseen.push(1);\nglobalThis.loads = (globalThis.loads ?? 0) + 1;\nconst STEP = 1;\n\nexport function bump() {\n  return STEP * seen.length * globalThis.loads;\n}\n',
      "test/counter.test.js":
        'import test from "node:test";\nimport assert from "node:assert/strict";\nimport { bump } from "../src/counter.js";\n\ntest("bump", () => {\n  assert.equal(bump(), 1);\n});\n',
    });
    const harness = await Harness.open(dir, "node-test");
    try {
      for (const step of ["1", "2", "1", "1"]) {
        const candidate = {
          "src/counter.js": readFileSync(join(dir, "src/counter.js"), "utf8").replace("STEP = 1", `STEP = ${step}`),
        };
        const { cold, warm } = await harness.both(candidate);
        expect(verdictView(warm)).toEqual(verdictView(cold));
        expect(warm.tests[0]?.status).toBe(step === "1" ? "passed" : "failed");
      }
      expect(harness.warm.stats.warmRuns).toBe(4);
      expect(harness.warm.stats.serversStarted).toBe(1);
    } finally {
      await harness.close();
    }
  }, 120_000);

  test("a candidate that calls process.exit, sets process.exitCode or throws at import time gets the cold path's verdict; the server goes on", async () => {
    writeFiles(dir, {
      "package.json": packageJson,
      "src/m.js": "export function f() {\n  return 1;\n}\n",
      "test/m.test.js":
        'import test from "node:test";\nimport assert from "node:assert/strict";\nimport { f } from "../src/m.js";\n\ntest("f", () => {\n  assert.equal(f(), 1);\n});\n\ntest("other", () => {});\n',
    });
    const harness = await Harness.open(dir, "node-test");
    try {
      const candidates = [
        "export function f() {\n  process.exit(0);\n}\n",
        "export function f() {\n  process.exit(3);\n}\n",
        'throw new Error("broken at import");\nexport function f() {\n  return 1;\n}\n',
        // Every test passes, but the file's process ends with a failure code: node --test fails the file.
        "export function f() {\n  process.exitCode = 3;\n  return 1;\n}\n",
      ];
      for (const text of candidates) {
        const { cold, warm } = await harness.both({ "src/m.js": text });
        expect(verdictView(warm)).toEqual(verdictView(cold));
      }
      // Those went cold (a warm worker cannot judge them faithfully); the server stayed and serves the next.
      expect(harness.warm.stats.coldRuns).toBe(4);
      const after = await harness.both({});
      expect(verdictView(after.warm)).toEqual(verdictView(after.cold));
      expect(after.warm.counts).toEqual({ total: 2, failed: 0 });
      expect(harness.warm.stats.warmRuns).toBe(1);
      expect(harness.warm.stats.serversStarted).toBe(1);
    } finally {
      await harness.close();
    }
  }, 120_000);

  test("a server that dies is replaced, and the run in hand still gets the cold path's verdict", async () => {
    const pidFile = join(dir, "server.pid");
    writeFiles(dir, {
      "package.json": packageJson,
      "test/p.test.js": `import test from "node:test";\nimport { writeFileSync } from "node:fs";\n\ntest("p", () => {\n  writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\n});\n`,
    });
    const harness = await Harness.open(dir, "node-test");
    try {
      const first = await harness.both({});
      expect(verdictView(first.warm)).toEqual(verdictView(first.cold));
      // A worker thread's process is the server itself.
      process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
      const second = await harness.both({});
      expect(verdictView(second.warm)).toEqual(verdictView(second.cold));
      const third = await harness.both({});
      expect(verdictView(third.warm)).toEqual(verdictView(third.cold));
      expect(third.warm.counts).toEqual({ total: 1, failed: 0 });
      expect(harness.warm.stats.serversStarted).toBe(2);
      expect(harness.warm.stats.warmRuns).toBeGreaterThanOrEqual(2);
    } finally {
      await harness.close();
    }
  }, 120_000);

  test("a hanging candidate times out as cold, and a new server serves the next run", async () => {
    writeFiles(dir, {
      "package.json": packageJson,
      "src/m.js": "export function f() {\n  return 1;\n}\n",
      "test/m.test.js":
        'import test from "node:test";\nimport assert from "node:assert/strict";\nimport { f } from "../src/m.js";\n\ntest("f", () => {\n  assert.equal(f(), 1);\n});\n',
    });
    const harness = await Harness.open(dir, "node-test");
    try {
      const hang = await harness.both(
        { "src/m.js": "export function f() {\n  for (;;) {}\n}\n" },
        { timeoutMs: 3_000 },
      );
      expect(hang.warm.kind).toBe("timeout");
      expect(verdictView(hang.warm)).toEqual(verdictView(hang.cold));
      const after = await harness.both({});
      expect(verdictView(after.warm)).toEqual(verdictView(after.cold));
      expect(after.warm.counts).toEqual({ total: 1, failed: 0 });
      expect(harness.warm.stats.serversStarted).toBe(2);
    } finally {
      await harness.close();
    }
  }, 120_000);

  test("cancelling a warm run kills the server and what the test started; closing the pool kills a server", async () => {
    const pidFile = join(dir, "pids");
    writeFiles(dir, {
      "package.json": packageJson,
      "test/wait.test.js": [
        'import test from "node:test";',
        'import { spawn } from "node:child_process";',
        'import { writeFileSync } from "node:fs";',
        "",
        'test("wait", async () => {',
        '  const child = spawn("sleep", ["1000"], { stdio: "ignore" });',
        `  writeFileSync(${JSON.stringify(pidFile)}, \`\${process.pid} \${child.pid}\`);`,
        "  await new Promise(() => setInterval(() => undefined, 1000));",
        "});",
        "",
      ].join("\n"),
    });
    const harness = await Harness.open(dir, "node-test");
    try {
      const controller = new AbortController();
      const running = harness.warmRun({ signal: controller.signal });
      const [server, sleeper] = (await readWhenWritten(pidFile)).split(" ").map(Number) as [number, number];
      expect(pidAlive(sleeper)).toBe(true);
      controller.abort();
      expect((await running).kind).toBe("cancelled");
      await waitFor(() => !pidAlive(server) && !pidAlive(sleeper), { timeoutMs: 5000 });
      expect(pidAlive(server)).toBe(false);
      expect(pidAlive(sleeper)).toBe(false);

      // A new server for the next run; closing the pool kills it.
      const serverFile = join(dir, "server.pid");
      const quickTest = `import test from "node:test";\nimport { writeFileSync } from "node:fs";\n\ntest("quick", () => {\n  writeFileSync(${JSON.stringify(serverFile)}, String(process.pid));\n});\n`;
      await harness.worker.copy.apply(new Map([[join(dir, "test/wait.test.js"), quickTest]]));
      const quick = await harness.warmRun();
      expect(quick.counts).toEqual({ total: 1, failed: 0 });
      expect(harness.warm.stats.serversStarted).toBe(2);
      const second = Number(readFileSync(serverFile, "utf8"));
      expect(pidAlive(second)).toBe(true);
      await harness.warm.close();
      await waitFor(() => !pidAlive(second), { timeoutMs: 5000 });
      expect(pidAlive(second)).toBe(false);
    } finally {
      await harness.close();
    }
  }, 120_000);
});
