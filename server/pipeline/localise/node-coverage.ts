import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { TestOutcome } from "../runners/outcomes.js";
import { runTests } from "../runners/run-tests.js";
import type { TestCommand } from "../runners/test-command.js";
import { readV8Coverage, type LineSet, type SpectrumEntity } from "./coverage.js";

/** node:test suites above this size get per-file coverage from the baseline run instead of per-test runs. */
export const MAX_NODE_COVERAGE_TESTS = 30;

export interface NodeCoverageOptions {
  readonly command: TestCommand;
  readonly cwd: string;
  readonly userRoot: string;
  readonly scratchDir: string;
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly failing: ReadonlySet<string>;
  readonly isTestFile: (file: string) => boolean;
  readonly isSourceFile: (file: string) => boolean;
}

/**
 * Per-test line coverage for node:test: each test alone (--test-name-pattern) under NODE_V8_COVERAGE. Module
 * top-level code runs for every test, so it gets a low Ochiai score, while each test's own path stands out.
 */
export async function nodePerTestCoverage(
  tests: readonly TestOutcome[],
  options: NodeCoverageOptions,
): Promise<SpectrumEntity[]> {
  const runnable = tests.filter((t) => t.status !== "skipped");
  if (runnable.length === 0 || runnable.length > MAX_NODE_COVERAGE_TESTS) return [];
  const entities: SpectrumEntity[] = [];
  for (const [i, test] of runnable.entries()) {
    if (options.signal.aborted) break;
    const dir = join(options.scratchDir, `v8-test-${i}`);
    await mkdir(dir, { recursive: true });
    try {
      const run = await runTests(options.command, {
        cwd: options.cwd,
        displayRoot: options.userRoot,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        env: { ...options.env, NODE_V8_COVERAGE: dir },
        reportParent: options.scratchDir,
        only: [test],
      });
      if (run.kind !== "completed") continue;
      const processes = await readV8Coverage({
        dir,
        scratchRoot: options.cwd,
        userRoot: options.userRoot,
        isTestFile: options.isTestFile,
        isSourceFile: options.isSourceFile,
        failedTestFiles: new Set(),
      });
      const lines: LineSet = new Map();
      for (const p of processes) {
        for (const [file, set] of p.lines) {
          const target = lines.get(file) ?? new Set<number>();
          for (const l of set) target.add(l);
          lines.set(file, target);
        }
      }
      entities.push({ name: test.name, failed: options.failing.has(test.name), lines });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return entities;
}
