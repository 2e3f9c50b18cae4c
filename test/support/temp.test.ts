// The shared temp-folder and polling helpers: folders are removed when their test (or the file) ends, and waitFor
// gives up at its deadline with the probe's last value (checked on a fake clock, so no real time passes).
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { tempDir, waitFor } from "./temp.js";

describe("tempDir", () => {
  let fileLong: string;
  let madeInTest: string | undefined;
  beforeAll(() => {
    fileLong = tempDir("repair-ls-temp-file-");
  });

  it("makes a fresh folder", () => {
    madeInTest = tempDir("repair-ls-temp-test-");
    writeFileSync(join(madeInTest, "a.txt"), "a");
    expect(existsSync(join(madeInTest, "a.txt"))).toBe(true);
    expect(madeInTest).not.toBe(tempDir("repair-ls-temp-test-"));
  });

  it("removes a test's folder when the test ends, and keeps a beforeAll folder until the file ends", () => {
    expect(madeInTest).toBeDefined();
    expect(existsSync(madeInTest!)).toBe(false);
    expect(existsSync(fileLong)).toBe(true);
  });
});

describe("waitFor", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves with the first truthy value the probe gives", async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls === 3 ? "found" : undefined), { intervalMs: 1 })).toBe("found");
    expect(calls).toBe(3);
    expect(await waitFor(() => Promise.resolve(7))).toBe(7);
  });

  it("gives up at its deadline with the probe's last value", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const pending = waitFor(() => (calls++, false), { timeoutMs: 1000, intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBeLessThan(12);
    await vi.advanceTimersByTimeAsync(100);
    expect(await pending).toBe(false);
    expect(calls).toBe(11);
  });
});
