// End-to-end repair of fixture bugs (test/fixtures/bugs) with the built-in engine, one or two per language,
// multi-hunk ones included: the best patch must be plausible and correct (the held-out tests pass with it), and
// the fixture's files must not change. The whole corpus runs in the benchmark (npm run bench:repair).
import { describe, expect, test } from "vitest";
import { defaultConfig } from "../../server/config/schema.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import { silentLogger, silentProgress } from "../../server/pipeline/types.js";
import { scratchRoot } from "../../server/pipeline/validate/scratch.js";
import { bug, isCorrect, projectDir } from "../support/fixture-bugs.js";
import { ownScratchDirs, snapshotTree } from "../support/workspace-snapshot.js";

const BUGS = [
  "py-gcd",
  "js-lru-cache",
  "ts-paginate",
  "java-linked-list",
  "c-count-words",
  "go-brackets",
  "rust-run-length",
  // Off-by-one shifts outside index positions: a recursive call's narrowed bound, pointer arithmetic.
  "py-find-in-sorted",
  "c-strtrim",
  // Multi-hunk: an interdependent pair in C (only the two edits together pass a test), two hunks in Rust.
  "c-last-n",
  "rust-frequencies",
];

describe("the built-in engine repairs fixture bugs", () => {
  test.each(BUGS)(
    "%s",
    async (id) => {
      const root = projectDir(id);
      const before = snapshotTree(root);
      const report = await fixAllFailing({
        root,
        config: { ...defaultConfig(), engine: "builtin", "test.allowRun": "always", "repair.stopAfterPlausible": 1 },
        logger: silentLogger,
        progress: silentProgress,
        signal: new AbortController().signal,
      });
      expect(report.status, report.message).toBe("fixed");
      expect(report.failingBefore).toHaveLength(bug(id).failingTests.length);
      const best = report.patches[0]!;
      expect(best.plausible).toBe(true);
      expect(best.fixedTests).toHaveLength(report.failingBefore.length);
      if (bug(id).multiHunk) expect(best.files.flatMap((f) => f.edits).length).toBeGreaterThan(1);
      expect(await isCorrect(id, best)).toBe(true);
      expect(snapshotTree(root)).toBe(before);
      expect(ownScratchDirs(scratchRoot())).toEqual([]);
    },
    300_000,
  );
});
