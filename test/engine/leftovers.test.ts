// What dead servers leave behind: processes of their test runs (found by the run mark in their environment) and
// scratch folders are removed at the next start; those of live servers are left alone.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  killMarkedProcesses,
  killOrphanedRunProcesses,
  RUN_MARK_VARIABLE,
} from "../../server/pipeline/leftovers/marked-processes.js";
import { runTests } from "../../server/pipeline/runners/run-tests.js";
import { removeStaleScratchInBackground } from "../../server/pipeline/validate/scratch-folders.js";
import { tempDir, waitFor } from "../support/temp.js";

let dir: string;
const started: number[] = [];
beforeEach(() => {
  dir = tempDir("repair-leftovers-");
});
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

/** Whether a process is running; a zombie (killed, not yet reaped) is dead. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** A pid that is certainly free now: a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn("true");
  return new Promise((resolve) => child.on("exit", () => resolve(child.pid!)));
}

/** A detached daemon whose environment carries `mark`. */
function daemonWith(mark: string): number {
  const child = spawn("sleep", ["1000"], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, [RUN_MARK_VARIABLE]: mark },
  });
  child.unref();
  started.push(child.pid!);
  return child.pid!;
}

test("processes of a run whose server is gone are killed; those of a live server are kept", async () => {
  const orphan = daemonWith(`${await deadPid()}-0123abcd`);
  // The test runner's parent is alive: its runs are not orphans.
  const owned = daemonWith(`${process.ppid}-0123abcd`);
  const unmarked = daemonWith("not-a-mark");
  expect(killOrphanedRunProcesses()).toBe(1);
  expect(await waitFor(() => !alive(orphan), { timeoutMs: 3000 })).toBe(true);
  expect(alive(owned)).toBe(true);
  expect(alive(unmarked)).toBe(true);
});

test("killMarkedProcesses kills exactly the processes that carry the mark and counts them", async () => {
  const mine = [daemonWith(`${process.pid}-aa11`), daemonWith(`${process.pid}-aa11`)];
  const other = daemonWith(`${process.pid}-bb22`);
  expect(killMarkedProcesses(`${process.pid}-aa11`)).toBe(2);
  expect(await waitFor(() => mine.every((pid) => !alive(pid)), { timeoutMs: 3000 })).toBe(true);
  expect(alive(other)).toBe(true);
});

test("scratch folders of dead processes are removed without blocking; live ones are kept", async () => {
  const dead = await deadPid();
  mkdirSync(join(dir, `${dead}-abc`, "workspace"), { recursive: true });
  mkdirSync(join(dir, `${dead}-def-deps`, "0", "node_modules"), { recursive: true });
  mkdirSync(join(dir, `${process.pid}-ghi`), { recursive: true });
  const removed = await removeStaleScratchInBackground(dir);
  expect(removed.sort()).toEqual([`${dead}-abc`, `${dead}-def-deps`]);
  expect(existsSync(join(dir, `${process.pid}-ghi`))).toBe(true);
});

test("a test run that leaves a daemon behind reports it in its result", async () => {
  const dir = tempDir("repair-leftover-run-");
  const run = await runTests(
    { kind: "custom", command: "setsid sleep 300 > /dev/null 2>&1 & echo ok", source: "test", canSelect: false },
    { cwd: dir, displayRoot: dir, timeoutMs: 30_000 },
  );
  expect(run.kind).toBe("completed");
  expect(run.leftovers).toBeGreaterThanOrEqual(1);
});
