import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { TestOutcome } from "../runners/outcomes.js";
import { shellQuote } from "../runners/invocation.js";
import { runProcess } from "../runners/process.js";
import { goModulePath, parseGoCoverProfile, type SpectrumEntity } from "./coverage.js";

/** Go tests above this count are not covered one by one: the per-test builds would cost more than they tell. */
export const MAX_GO_COVERAGE_TESTS = 30;

export interface GoCoverageOptions {
  readonly cwd: string;
  readonly userRoot: string;
  readonly scratchDir: string;
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly failing: ReadonlySet<string>;
}

/**
 * Per-test line coverage for Go: one `go test -run '^Name$' -coverprofile` per top-level test (with -coverpkg so
 * that every package of the module is measured), only when the suite is small.
 */
export async function goCoverage(tests: readonly TestOutcome[], options: GoCoverageOptions): Promise<SpectrumEntity[]> {
  const goMod = await readFile(join(options.cwd, "go.mod"), "utf8").catch(() => undefined);
  const modulePath = goMod && goModulePath(goMod);
  const runnable = tests.filter((t) => t.status !== "skipped" && t.selector?.unit);
  if (!modulePath || runnable.length === 0 || runnable.length > MAX_GO_COVERAGE_TESTS) return [];
  const entities: SpectrumEntity[] = [];
  const profile = join(options.scratchDir, "go-cover.out");
  for (const test of runnable) {
    if (options.signal.aborted) break;
    const name = test.selector!.test;
    const command = [
      "go test -count=1",
      `-run ${shellQuote(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`)}`,
      `-coverprofile=${shellQuote(profile)}`,
      "-coverpkg=./...",
      shellQuote(test.selector!.unit!),
    ].join(" ");
    await rm(profile, { force: true });
    const result = await runProcess(command, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    if (result.end !== "exited") continue;
    const text = await readFile(profile, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    entities.push({
      name: test.name,
      failed: options.failing.has(test.name),
      lines: parseGoCoverProfile(text, modulePath, options.userRoot),
    });
  }
  return entities;
}
