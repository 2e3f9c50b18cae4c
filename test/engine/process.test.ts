// Spawning test commands: timeouts kill the whole process group, cancellation too, a missing command is a result;
// daemons are found by the run's environment mark, and nothing outlives a server killed with SIGKILL.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { runProcess } from "../../server/pipeline/runners/process.js";
import { runTests } from "../../server/pipeline/runners/run-tests.js";
import type { TestCommand } from "../../server/pipeline/runners/test-command.js";
import { tempDir, waitFor } from "../support/temp.js";

let dir: string;
beforeEach(() => {
  dir = tempDir("repair-process-");
});

/** Whether a process is running; a zombie (killed, waiting for its new parent to reap it) is dead. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

const custom = (command: string): TestCommand => ({ kind: "custom", command, source: "test", canSelect: false });

test("a timeout kills the command and the child it spawned", async () => {
  // The shell starts a child that sleeps "forever" and records its pid, then sleeps itself.
  const pids = join(dir, "pids");
  const command = `sleep 1000 & echo $! > ${pids}; echo $$ >> ${pids}; sleep 1000`;
  const started = Date.now();
  const result = await runProcess(command, { cwd: dir, timeoutMs: 500 });
  expect(result.end).toBe("timeout");
  expect(Date.now() - started).toBeLessThan(5000);
  const [child, shell] = readFileSync(pids, "utf8").trim().split("\n").map(Number) as [number, number];
  expect(await waitFor(() => !alive(child) && !alive(shell), { timeoutMs: 3000 })).toBe(true);
});

test("cancellation kills the group too, and a cancelled run reports so", async () => {
  const pids = join(dir, "pids");
  const controller = new AbortController();
  const pending = runProcess(`sleep 1000 & echo $! > ${pids}; wait`, {
    cwd: dir,
    timeoutMs: 60_000,
    signal: controller.signal,
  });
  await waitFor(
    () => {
      try {
        return readFileSync(pids, "utf8").trim() !== "";
      } catch {
        return false;
      }
    },
    { timeoutMs: 3000 },
  );
  controller.abort();
  const result = await pending;
  expect(result.end).toBe("cancelled");
  const child = Number(readFileSync(pids, "utf8").trim());
  expect(await waitFor(() => !alive(child), { timeoutMs: 3000 })).toBe(true);
});

test("a daemon left behind by a finished command is killed with its group", async () => {
  const pids = join(dir, "pids");
  const result = await runProcess(`(sleep 1000 &) ; sleep 0.1; pgrep -g $$ -f "sleep 1000" > ${pids}; exit 3`, {
    cwd: dir,
    timeoutMs: 10_000,
  });
  expect(result.end).toBe("exited");
  expect(result.exitCode).toBe(3);
  const leftovers = readFileSync(pids, "utf8").trim().split("\n").filter(Boolean).map(Number);
  expect(leftovers.length).toBeGreaterThan(0);
  expect(await waitFor(() => leftovers.every((p) => !alive(p)), { timeoutMs: 3000 })).toBe(true);
});

test("output is capped, keeping the head and the tail", async () => {
  const result = await runProcess(`echo START; head -c 300000 /dev/zero | tr '\\0' x; echo; echo END`, {
    cwd: dir,
    timeoutMs: 10_000,
    maxOutputBytes: 10_000,
  });
  expect(result.stdout.startsWith("START")).toBe(true);
  expect(result.stdout.trimEnd().endsWith("END")).toBe(true);
  expect(result.stdout).toContain("bytes of output elided");
  expect(result.stdout.length).toBeLessThan(11_000);
});

test("a test command that does not exist is a clear result, not a crash", async () => {
  const result = await runTests(custom("no-such-test-runner-xyz --all"), {
    cwd: dir,
    displayRoot: dir,
    timeoutMs: 10_000,
  });
  expect(result.kind).toBe("not-found");
  expect(result.problem).toMatch(/not found/);
});

test("a hanging test command times out with a message", async () => {
  const result = await runTests(custom("sleep 100"), { cwd: dir, displayRoot: dir, timeoutMs: 300 });
  expect(result.kind).toBe("timeout");
  expect(result.problem).toMatch(/did not finish/);
});

test("without per-test output the exit code decides one pseudo-test", async () => {
  writeFileSync(join(dir, "check.sh"), "echo checking; exit 1\n");
  const failing = await runTests(custom("sh check.sh"), { cwd: dir, displayRoot: "/user/ws", timeoutMs: 10_000 });
  expect(failing.kind).toBe("completed");
  expect(failing.perTest).toBe(false);
  expect(failing.tests).toEqual([{ name: "sh check.sh", status: "failed", message: "checking\n" }]);
  const passing = await runTests(custom("true"), { cwd: dir, displayRoot: "/user/ws", timeoutMs: 10_000 });
  expect(passing.tests[0]?.status).toBe("passed");
});

test("paths of the scratch folder are rewritten to the user's folder", async () => {
  writeFileSync(join(dir, "t.sh"), `echo "not ok 1 - broken"; echo "# at ${dir}/src/x.c:3"; exit 1\n`);
  const result = await runTests(custom("sh t.sh"), { cwd: dir, displayRoot: "/user/ws", timeoutMs: 10_000 });
  expect(result.perTest).toBe(true);
  expect(result.tests[0]?.message).toContain("/user/ws/src/x.c:3");
  expect(result.output).not.toContain(dir);
});

test("a daemon that left the process group (setsid, double fork) is killed at the end of the run and counted", async () => {
  const pids = join(dir, "pids");
  // The command waits a moment before it exits, so that both daemons have started (a daemon still being forked when
  // the run ends is not yet a process to find).
  const result = await runProcess(`setsid sleep 1000 & echo $! > ${pids}; (setsid sleep 1001 &) ; sleep 0.5; exit 0`, {
    cwd: dir,
    timeoutMs: 10_000,
  });
  expect(result.end).toBe("exited");
  expect(result.leftovers).toBeGreaterThanOrEqual(2);
  const daemon = Number(readFileSync(pids, "utf8").trim());
  expect(await waitFor(() => !alive(daemon), { timeoutMs: 3000 })).toBe(true);
});

test("the command carries a run mark in its environment, and a mark inherited from an enclosing run is replaced", async () => {
  const result = await runProcess(`echo "$REPAIR_LS_RUN"`, {
    cwd: dir,
    timeoutMs: 10_000,
    env: { ...process.env, REPAIR_LS_RUN: "1-outer" },
  });
  expect(result.stdout.trim()).toMatch(new RegExp(`^${process.pid}-[0-9a-f]+$`));
  expect(result.leftovers).toBe(0);
});

test("when the process that ran the command is killed with SIGKILL, the command, its children and its daemons die", async () => {
  const built = new URL("../../dist/server/pipeline/runners/process.js", import.meta.url);
  if (!existsSync(built)) throw new Error("dist/ is missing: run `npm run build` before the tests");
  const pids = join(dir, "pids");
  const command = `sleep 1000 & echo $! >> ${pids}; setsid sleep 1000 & echo $! >> ${pids}; echo $$ >> ${pids}; wait`;
  const script = [
    `const { runProcess } = await import(${JSON.stringify(built.href)});`,
    `void runProcess(${JSON.stringify(command)}, { cwd: ${JSON.stringify(dir)}, timeoutMs: 600000 });`,
  ].join("\n");
  const parent = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
  const started = await waitFor(() => existsSync(pids) && readFileSync(pids, "utf8").trim().split("\n").length === 3, {
    timeoutMs: 3000,
  });
  expect(started).toBe(true);
  const running = readFileSync(pids, "utf8").trim().split("\n").map(Number);
  expect(running.every(alive)).toBe(true);
  parent.kill("SIGKILL");
  expect(await waitFor(() => running.every((pid) => !alive(pid)), { timeoutMs: 5000 })).toBe(true);
});
