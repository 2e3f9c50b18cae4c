// Cancelling a repair: running tests are killed with their process group, scratch copies are removed, the
// user's files are untouched, and the report says "cancelled".
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import { silentLogger, silentProgress, type Candidate } from "../../server/core/types.js";
import { scratchRoot } from "../../server/pipeline/validate/scratch.js";
import { ownScratchDirs, snapshotTree } from "../support/workspace-snapshot.js";
import { tempDir } from "../support/temp.js";

let base: string;
let root: string;
let pids: string;
beforeEach(() => {
  base = tempDir("repair-cancel-");
  root = join(base, "ws");
  pids = join(base, "pids");
  mkdirSync(root);
  mkdirSync(pids);
  // Every run of the slow test records its pid, then sleeps far longer than the test waits.
  writeFileSync(join(root, "calc.py"), "def double(x):\n    return x + x + 1\n");
  writeFileSync(
    join(root, "test_calc.py"),
    [
      "import os, time",
      "from calc import double",
      "",
      "",
      "def test_double():",
      "    assert double(2) == 4",
      "",
      "",
      "def test_slow_when_fixed():",
      "    if double(2) == 4:",
      `        open(os.path.join(${JSON.stringify(pids)}, str(os.getpid())), "w").close()`,
      "        time.sleep(60)",
      "",
    ].join("\n"),
  );
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const fix: Candidate = {
  text: "    return x + x",
  score: 1,
  generator: "template",
  editKind: "delete",
  description: "drop `+ 1`",
};

test("abort while a candidate's tests run: killed, cleaned up, user files unchanged", async () => {
  const before = snapshotTree(root);
  const controller = new AbortController();
  const started = Date.now();
  const report = await fixAllFailing({
    root,
    config: { ...defaultConfig(), "repair.workers": 1, "test.allowRun": "always" },
    logger: silentLogger,
    progress: silentProgress,
    signal: controller.signal,
    generate: (context) => {
      // The baseline is done; the fix makes the slow test sleep: abort once it is sleeping.
      const timer = setInterval(() => {
        if (readdirSync(pids).length > 0) {
          clearInterval(timer);
          controller.abort();
        }
      }, 50);
      return Promise.resolve(context.buggyText.includes("+ 1") ? [fix] : []);
    },
  });
  expect(report.status).toBe("cancelled");
  expect(report.message).toMatch(/cancelled/);
  expect(Date.now() - started).toBeLessThan(40_000);
  const recorded = readdirSync(pids).map(Number);
  expect(recorded.length).toBeGreaterThan(0);
  for (const pid of recorded) expect(alive(pid)).toBe(false);
  expect(ownScratchDirs(scratchRoot())).toEqual([]);
  expect(snapshotTree(root)).toBe(before);
  expect(existsSync(join(root, ".pytest_cache"))).toBe(false);
});

test("abort during the baseline run", async () => {
  writeFileSync(join(root, "test_calc.py"), "import time\n\n\ndef test_slow():\n    time.sleep(60)\n");
  const before = snapshotTree(root);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 1500);
  const report = await fixAllFailing({
    root,
    config: { ...defaultConfig(), "repair.workers": 1, "test.allowRun": "always" },
    logger: silentLogger,
    progress: silentProgress,
    signal: controller.signal,
    generate: () => Promise.resolve([]),
  });
  expect(report.status).toBe("cancelled");
  expect(ownScratchDirs(scratchRoot())).toEqual([]);
  expect(snapshotTree(root)).toBe(before);
});

test("an already aborted signal does nothing", async () => {
  const controller = new AbortController();
  controller.abort();
  const report = await fixAllFailing({
    root,
    config: defaultConfig(),
    logger: silentLogger,
    progress: silentProgress,
    signal: controller.signal,
    generate: () => Promise.resolve([]),
  });
  expect(report.status).toBe("cancelled");
  expect(ownScratchDirs(scratchRoot())).toEqual([]);
});
