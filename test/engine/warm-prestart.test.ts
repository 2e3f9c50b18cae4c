// Warm servers start right after the baseline, on every validation worker, so that their start-up (about a second
// for pytest) overlaps localisation instead of delaying the first candidate; the pool's fill() makes the workers.
import { afterEach, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { silentLogger, silentProgress, type Candidate } from "../../server/core/types.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import { WarmPool } from "../../server/pipeline/runners/warm/warm-pool.js";
import { WorkerPool } from "../../server/pipeline/validate/pool.js";
import { tempDir, waitFor } from "../support/temp.js";
import { writeFiles } from "../support/workspace-copy.js";

const FILES = {
  "calc.py": "def double(x):\n    return x + x + 1\n",
  "test_calc.py":
    "from calc import double\n\n\ndef test_double():\n    assert double(2) == 4\n\n\ndef test_zero():\n    assert double(0) == 0\n",
};

const FIX: Candidate = {
  text: "    return x + x",
  score: 1,
  generator: "template",
  editKind: "delete",
  description: "drop `+ 1`",
};

let pools: WorkerPool[] = [];
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

test("fill() makes the missing workers, idle, and returns every worker; a second fill makes none", async () => {
  const root = tempDir("repair-fill-");
  writeFiles(root, FILES);
  const pool = new WorkerPool({ root, size: 2, logger: silentLogger });
  pools.push(pool);
  const busy = await pool.acquire();
  const all = await pool.fill();
  expect(all.map((w) => w.id)).toEqual([0, 1]);
  expect(all[0]).toBe(busy);
  expect(new Set(all.map((w) => w.copy.dir)).size).toBe(2);
  // The new worker is idle: acquiring it does not wait for the busy one.
  expect(await pool.acquire()).toBe(all[1]);
  expect(await pool.fill()).toEqual(all);
  expect(pool.created).toBe(2);
});

test("every worker's warm server is up before the first candidate is asked for, and the candidates use them", async () => {
  const root = tempDir("repair-prestart-");
  writeFiles(root, FILES);
  let warm: WarmPool | undefined;
  let serversAtFirstCandidate: number | undefined;
  let warmRunsAtFirstCandidate: number | undefined;
  const report = await fixAllFailing({
    root,
    config: { ...defaultConfig(), "test.allowRun": "always", "repair.workers": 2, "repair.maxValidations": 5 },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    warm: (command, userRoot, logger, signal) => (warm = WarmPool.for(command, userRoot, logger, signal)),
    generate: async (context) => {
      // The search waits here for its first candidates, so no candidate has run yet: without the start after the
      // baseline, no server would come up (they would start on a worker's first run) and this wait would time out.
      if (serversAtFirstCandidate === undefined) {
        await waitFor(() => (warm?.stats.serversStarted ?? 0) >= 2, { timeoutMs: 30_000 });
        serversAtFirstCandidate = warm?.stats.serversStarted;
        warmRunsAtFirstCandidate = warm?.stats.warmRuns;
      }
      return context.buggyText.includes("x + x + 1") ? [FIX] : [];
    },
  });
  expect(serversAtFirstCandidate).toBe(2);
  expect(warmRunsAtFirstCandidate).toBe(0);
  expect(report.status).toBe("fixed");
  expect(report.patches[0]?.description).toBe("drop `+ 1`");
  // The candidates ran on the servers started ahead: no server was started for them.
  expect(warm?.stats.serversStarted).toBe(2);
  expect(warm?.stats.warmRuns).toBeGreaterThan(0);
});
