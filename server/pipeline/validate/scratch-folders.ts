import { readdirSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pidAlive } from "../leftovers/marked-processes.js";

/** Where every scratch folder lives: os.tmpdir()/repair-ls-scratch/<pid>-<random>[-deps]/. */
export function scratchRoot(): string {
  return join(tmpdir(), "repair-ls-scratch");
}

/** Scratch folders of this process that exist now, removed at exit. */
const liveDirs = new Set<string>();
let hooksInstalled = false;

function removeAllSync(): void {
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort at exit: nothing more can be done.
    }
  }
  liveDirs.clear();
}

/**
 * Removes scratch folders when the process ends: normally, by an uncaught exception (both emit "exit"), or by a
 * terminating signal. A signal handler re-raises the signal when no one else listens, so the default action
 * (termination) still happens. (SIGKILL cannot be caught: the next start removes those, see removeStaleScratch.)
 */
function installCleanupHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", removeAllSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = (): void => {
      removeAllSync();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

/** Registers a scratch folder of this process for removal at exit. */
export function trackScratchFolder(dir: string): void {
  installCleanupHooks();
  liveDirs.add(dir);
}

/** Removes a scratch folder now and forgets it. */
export async function removeScratchFolder(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  } finally {
    liveDirs.delete(dir);
  }
}

/** Names of scratch folders under root whose process is gone (their pid is the name's prefix). */
function staleNames(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names.filter((name) => {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid);
  });
}

/** Removes scratch folders left by processes that died without cleaning up; returns their names. */
export function removeStaleScratch(root = scratchRoot()): string[] {
  const removed: string[] = [];
  for (const name of staleNames(root)) {
    try {
      rmSync(join(root, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Someone else's files we cannot remove: leave them.
    }
  }
  return removed;
}

/** removeStaleScratch without blocking the event loop (a stale folder may hold a copy of node_modules). */
export async function removeStaleScratchInBackground(root = scratchRoot()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of staleNames(root)) {
    try {
      await rm(join(root, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Someone else's files we cannot remove: leave them.
    }
  }
  return removed;
}
