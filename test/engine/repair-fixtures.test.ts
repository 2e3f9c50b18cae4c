// End-to-end repair of fixture bugs (test/fixtures/bugs) with the built-in engine, one or two per language,
// multi-hunk ones included: the best patch must be a repair and correct (the held-out tests pass with it), and
// the fixture's files must not change. The whole corpus runs in the benchmark (npm run bench:repair), which reports
// the dev and heldout sets of test/fixtures/splits.json separately.
import { describe, expect, test } from "vitest";
import { defaultConfig } from "../../server/core/config-schema.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import { silentLogger, silentProgress } from "../../server/core/types.js";
import { scratchRoot } from "../../server/pipeline/validate/scratch.js";
import { bug, copyProject, isCorrect } from "../support/fixture-bugs.js";
import { ownScratchDirs, snapshotTree } from "../support/workspace-snapshot.js";

const BUGS = [
  "py-ttl-cache",
  "js-lru-cache",
  "ts-paginate",
  "java-linked-list",
  "c-count-words",
  "go-brackets",
  "rust-run-length",
  // An off-by-one shift outside index positions: pointer arithmetic.
  "c-strtrim",
  // A program tested only through input/output files: no test code reaches it, so localisation falls back.
  "c-io-ledger",
  // Multi-hunk: two hunks in Rust that take the same fixed text. (The interdependent C pair, c-last-n, was fixed
  // only thanks to a weight issue 17 removed as fitted to it; it is heldout, so it stays in the benchmark only.)
  "rust-frequencies",
];

describe("the built-in engine repairs fixture bugs", () => {
  test.each(BUGS)(
    "%s",
    async (id) => {
      // A throwaway copy with the project's own dependencies (tsc for TypeScript), as a user's checkout has them:
      // scratch copies never link to a node_modules outside the workspace.
      const project = copyProject(id);
      const root = project.dir;
      const before = snapshotTree(root);
      try {
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
        expect(best.verdict).toBe("repair");
        expect(best.fixedTests).toHaveLength(report.failingBefore.length);
        if (bug(id).multiHunk) expect(best.files.flatMap((f) => f.edits).length).toBeGreaterThan(1);
        expect(await isCorrect(id, best)).toBe(true);
        expect(snapshotTree(root)).toBe(before);
        expect(ownScratchDirs(scratchRoot())).toEqual([]);
      } finally {
        project.dispose();
      }
    },
    300_000,
  );
});
