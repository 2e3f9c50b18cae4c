// The one way tests make temporary folders and poll for a condition. tempDir's folder made inside a test (or its
// beforeEach) is removed when that test finishes; one made while a file's tests are collected or in beforeAll is
// removed after the file's last test. Scripts run by plain node (benchmarks, the example) use makeTempDir and
// remove the folder themselves. Lint forbids calling mkdtempSync anywhere else in test/.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, onTestFinished } from "vitest";

const untilFileEnds = new Set<string>();

// Registered when a test file first imports this module (each file gets its own module instance), so it runs
// after that file's last test. Outside vitest (benchmarks, the example) there is no suite and nothing to register.
try {
  afterAll(() => {
    for (const dir of untilFileEnds) removeTempDir(dir);
    untilFileEnds.clear();
  });
} catch {
  // Not collected by vitest.
}

/** A fresh empty folder under the system temp folder that the caller removes (with removeTempDir). */
export function makeTempDir(prefix = "repair-ls-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh empty folder under the system temp folder, removed automatically (see the top of this file). */
export function tempDir(prefix = "repair-ls-test-"): string {
  const dir = makeTempDir(prefix);
  try {
    onTestFinished(() => removeTempDir(dir));
  } catch {
    // Not inside a running test: the folder lives until the file's tests end.
    untilFileEnds.add(dir);
  }
  return dir;
}

/** Removes a folder and everything in it now; a missing folder is fine. */
export function removeTempDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export interface WaitOptions {
  /** How long to keep polling before giving up (default 10 s). */
  readonly timeoutMs?: number;
  /** Pause between polls (default 25 ms). */
  readonly intervalMs?: number;
}

/**
 * Polls `probe` (which may be async) until it gives a truthy value or `timeoutMs` pass, and resolves with the last
 * value it gave: a boolean predicate resolves with whether it held, a lookup with what it found (or undefined).
 */
export async function waitFor<T>(probe: () => T | PromiseLike<T>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 25 } = options;
  const end = Date.now() + timeoutMs;
  let value = await probe();
  while (!value && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await probe();
  }
  return value;
}
