// Fault localisation: Ochiai, statement kinds, hunk grouping, and the buggy lines of real fixture bugs ranking
// near the top after a real baseline run.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { runBaseline } from "../../server/pipeline/baseline.js";
import { ochiai, type SpectrumEntity } from "../../server/pipeline/localise/coverage.js";
import { kindWeight } from "../../server/pipeline/localise/file-facts.js";
import { hunksFromLines, localise, type SuspiciousLine } from "../../server/pipeline/localise/localise.js";
import { inlineTestRanges, SourceFiles } from "../../server/pipeline/localise/source-files.js";
import { detectTestCommand } from "../../server/pipeline/runners/detect.js";
import { silentLogger } from "../../server/core/types.js";
import { WorkerPool } from "../../server/pipeline/validate/pool.js";
import { listWorkspaceFiles, WorkspaceFiles } from "../../server/pipeline/workspace-files.js";
import { bug, copyProject } from "../support/fixture-bugs.js";

describe("spectrum scores", () => {
  test("Ochiai: ef / sqrt(totalFailed * (ef + ep))", () => {
    const entity = (failed: boolean, lines: number[]): SpectrumEntity => ({
      name: String(Math.random()),
      failed,
      lines: new Map([["/f.py", new Set(lines)]]),
    });
    const scores = ochiai([
      entity(true, [1, 2, 3]),
      entity(true, [1, 2]),
      entity(false, [2, 3]),
      entity(false, [3, 4]),
    ]).get("/f.py")!;
    expect(scores.get(1)).toBeCloseTo(1);
    expect(scores.get(2)).toBeCloseTo(2 / Math.sqrt(2 * 3));
    expect(scores.get(3)).toBeCloseTo(1 / Math.sqrt(2 * 3));
    expect(scores.has(4)).toBe(false);
  });

  test("statement kinds: conditions, returns, arithmetic, calls, assignments", () => {
    expect(kindWeight("    if x < y:")).toBe(6);
    expect(kindWeight("} else if (a == b) {")).toBe(6);
    expect(kindWeight("    return total")).toBe(5);
    expect(kindWeight("    total = a * b")).toBe(4);
    expect(kindWeight("    items.append(x)")).toBe(3);
    expect(kindWeight("    let mut v: Vec<i64> = Vec::new;")).toBe(2);
    expect(kindWeight("    let mut count = 0;")).toBe(4);
    expect(kindWeight("    pass")).toBe(1);
  });

  test("adjacent suspicious lines also form one hunk, after their best line; functions come last", () => {
    const line = (l: number, spectrum: number): SuspiciousLine => ({
      file: "/f.py",
      line: l,
      spectrum,
      trace: 0,
      kind: 1,
    });
    const hunks = hunksFromLines([line(5, 1), line(6, 0.9), line(20, 0.8)], new Map());
    expect(hunks.map((h) => [h.hunk.startLine, h.hunk.endLine, h.origin])).toEqual([
      [5, 6, "line"],
      [5, 7, "group"],
      [6, 7, "line"],
      [20, 21, "line"],
    ]);
  });

  test("Rust's inline test modules are test code", () => {
    const text = "fn f() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() { assert!(true); }\n}\nfn g() {}\n";
    expect(inlineTestRanges(text, "/w/src/lib.rs")).toEqual([{ startLine: 2, endLine: 7 }]);
  });
});

/** Rank of each of the bug's hunks among the localised hunks (-1 when absent). */
async function localiseBug(id: string): Promise<{ ranks: number[]; source: string }> {
  // A throwaway copy with the project's own dependencies (tsc for TypeScript): scratch copies never link to a
  // node_modules outside the workspace.
  const project = copyProject(id);
  const root = project.dir;
  const command = (await detectTestCommand(root, defaultConfig()))!;
  const pool = new WorkerPool({ root, size: 1, logger: silentLogger });
  try {
    const worker = await pool.acquire();
    const sources = new SourceFiles(root, await listWorkspaceFiles(root));
    const signal = new AbortController().signal;
    const baseline = await runBaseline({
      command,
      worker,
      root,
      sources,
      timeoutMs: 120_000,
      signal,
      logger: silentLogger,
    });
    expect(baseline.oracle).toHaveLength(bug(id).failingTests.length);
    const result = await localise({
      sources,
      files: new WorkspaceFiles(root),
      failing: baseline.oracle,
      passing: baseline.passing,
      ...(baseline.coverage ? { coverage: baseline.coverage } : {}),
      output: baseline.run.output,
    });
    const lineHunks = result.hunks.filter((h) => h.origin !== "function");
    const ranks = bug(id).hunks.map((h) =>
      lineHunks.findIndex(
        (r) => r.hunk.file === join(root, h.file) && r.hunk.startLine <= h.startLine && h.startLine < r.hunk.endLine,
      ),
    );
    return { ranks, source: result.spectrumSource };
  } finally {
    await pool.close();
    project.dispose();
  }
}

describe("on fixture bugs, the buggy lines rank in the top few", () => {
  // One bug per language; per-test coverage where the runner allows it, static reachability elsewhere.
  test.each([
    ["py-moving-average", "coverage", 1],
    ["js-get-in", "coverage", 2],
    ["go-brackets", "coverage", 1],
    ["ts-invoice", "static", 4],
    ["java-max-subarray", "static", 3],
    // gcov gives make-driven C programs per-case coverage.
    ["c-count-words", "coverage", 5],
    // llvm-cov gives cargo projects per-test coverage.
    ["rust-run-length", "coverage", 3],
  ])("%s (%s spectrum): within the top %i", async (id, source, top) => {
    const result = await localiseBug(id);
    expect(result.source).toBe(source);
    for (const rank of result.ranks) {
      expect(rank).toBeGreaterThanOrEqual(0);
      expect(rank).toBeLessThan(top);
    }
  });
});
