// Nothing is left behind by a server killed with SIGKILL in the middle of a repair: its test processes (their
// children and daemons included) die with it, and the next start removes its scratch copy and its stale index lock.
// Everything is checked by pid.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { LspTestClient } from "../support/lsp-client.js";
import { scratchDirsOf, writeFiles } from "../support/workspace-copy.js";
import { tempDir, waitFor } from "../support/temp.js";

const clients: LspTestClient[] = [];
let base: string | undefined;

afterEach(async () => {
  for (const client of clients.splice(0)) await client.kill();
  base = undefined;
});

/** Whether a process is running; a zombie (killed, not yet reaped by its new parent) is dead. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").trim().split("\n").filter(Boolean) : [];
}

/** The pid named by an index lock file, if it can be read. */
function lockPid(path: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

test("after kill -9 of the server mid-repair, its test processes die, and the next start removes its scratch copy and index lock", async () => {
  base = tempDir("repair-ls-crash-");
  const workspace = join(base, "ws");
  const pids = join(base, "pids");
  // The test command records the pids of its shell, a child and a daemon that left the session, then hangs.
  writeFiles(workspace, {
    "calc.py": "def double(x):\n    return x + x + 1\n",
    "hang.sh": [
      `echo $$ >> ${pids}`,
      `sleep 1000 & echo $! >> ${pids}`,
      `setsid sleep 1000 & echo $! >> ${pids}`,
      "wait",
      "",
    ].join("\n"),
  });
  const settings = { "test.allowRun": "always", "test.command": "sh hang.sh", engine: "builtin" };
  const lock = join(workspace, ".repair-ls", "index.lock");

  const first = LspTestClient.start();
  clients.push(first);
  const firstPid = first.child.pid!;
  await first.initialize({ rootPath: workspace, initializationOptions: settings });
  expect(await waitFor(() => lockPid(lock) === firstPid, { timeoutMs: 30_000 })).toBe(true);
  await first.connection.sendRequest("workspace/executeCommand", { command: "repair.fixAllFailing", arguments: [] });
  expect(await waitFor(() => lines(pids).length === 3, { timeoutMs: 30_000 })).toBe(true);
  const testProcesses = lines(pids).map(Number);
  expect(testProcesses.every(alive)).toBe(true);
  expect(scratchDirsOf(firstPid).length).toBeGreaterThan(0);

  const killedAt = Date.now();
  await first.kill();
  expect(await waitFor(() => testProcesses.every((pid) => !alive(pid)), { timeoutMs: 5_000 })).toBe(true);
  const processesGoneMs = Date.now() - killedAt;
  // SIGKILL cannot be handled: the scratch copy and the lock are still there, and it is the next start's job.
  expect(scratchDirsOf(firstPid).length).toBeGreaterThan(0);
  expect(lockPid(lock)).toBe(firstPid);

  const second = LspTestClient.start();
  clients.push(second);
  const startedAt = Date.now();
  await second.initialize({ rootPath: workspace, initializationOptions: { ...settings, "test.allowRun": "never" } });
  // The stale lock is taken over: from then on it names the new server.
  const secondPid = second.child.pid;
  expect(
    await waitFor(() => scratchDirsOf(firstPid).length === 0 && lockPid(lock) === secondPid, { timeoutMs: 30_000 }),
  ).toBe(true);
  const leftoversGoneMs = Date.now() - startedAt;
  expect(await second.shutdown()).toBe(0);
  expect(existsSync(lock)).toBe(false);
  process.stderr.write(
    `crash cleanup: test processes gone ${processesGoneMs} ms after kill -9; ` +
      `stale scratch copy and lock gone ${leftoversGoneMs} ms after the next start\n`,
  );
}, 120_000);
