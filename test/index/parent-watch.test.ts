// The vector-index builder child dies with its parent, even when the parent is killed with SIGKILL: it must not
// keep writing the index that the parent's next start will build again.
import { spawn, type ChildProcess } from "node:child_process";
import { PARENT_PID_VARIABLE } from "../../index/parent-watch.js";
import { existsSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { waitFor } from "../support/temp.js";

/** Whether a process is running; a zombie (killed, not yet reaped by its new parent) is dead. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const built = (path: string): string => {
  const url = new URL(`../../dist/index/${path}`, import.meta.url);
  if (!existsSync(url)) throw new Error("dist/ is missing: run `npm run build` before the tests");
  return url.href;
};

/**
 * A parent that spawns a child as vector-index.ts spawns the ANN worker (its pid in the environment, stdin a pipe it
 * never writes or /dev/null), prints the child's pid and waits forever; the child installs the parent watch, says
 * so on its stderr (relayed by the parent), and then works "forever".
 */
function parentOfWorkingChild(stdin: "pipe" | "ignore"): ChildProcess {
  const child = [
    `const { exitWhenParentGoes } = await import(${JSON.stringify(built("parent-watch.js"))});`,
    "exitWhenParentGoes();",
    "process.stderr.write('watching\\n');",
    "setInterval(() => {}, 1000);",
  ].join("\n");
  const parent = [
    "import { spawn } from 'node:child_process';",
    `const child = spawn(process.execPath, ["--input-type=module", "-e", ${JSON.stringify(child)}], {`,
    `  stdio: [${JSON.stringify(stdin)}, "ignore", "pipe"],`,
    `  env: { ...process.env, ${PARENT_PID_VARIABLE}: String(process.pid) },`,
    "});",
    "child.stderr.on('data', (d) => process.stdout.write(child.pid + ' ' + d));",
    "setInterval(() => {}, 1000);",
  ].join("\n");
  return spawn(process.execPath, ["--input-type=module", "-e", parent], { stdio: ["ignore", "pipe", "inherit"] });
}

/** The child's pid, once the child has installed the watch. */
function watchingChildOf(parent: ChildProcess): Promise<number> {
  return new Promise((resolve) =>
    parent.stdout?.once("data", (d: Buffer) => resolve(Number(d.toString().trim().split(" ")[0]))),
  );
}

test.each(["pipe", "ignore"] as const)(
  "a child whose parent is killed with SIGKILL exits (stdin %s)",
  async (stdin) => {
    const parent = parentOfWorkingChild(stdin);
    let child: number | undefined;
    try {
      child = await watchingChildOf(parent);
      expect(alive(child)).toBe(true);
      parent.kill("SIGKILL");
      expect(await waitFor(() => !alive(child!), { timeoutMs: 5_000 })).toBe(true);
    } finally {
      parent.kill("SIGKILL");
      if (child !== undefined && alive(child)) process.kill(child, "SIGKILL");
    }
  },
);
