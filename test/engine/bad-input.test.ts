// Bad input to the engine: clear statuses, no hang, nothing outside the scratch copies changes.
import { join } from "node:path";
import { beforeEach, expect, test } from "vitest";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import type { CandidateSource } from "../../server/pipeline/candidates.js";
import { fixAllFailing, repairHunks } from "../../server/pipeline/repair.js";
import type { RepairReport } from "../../server/pipeline/report.js";
import { silentLogger, silentProgress, type Candidate } from "../../server/core/types.js";
import { scratchRoot } from "../../server/pipeline/validate/scratch.js";
import { ownScratchDirs, snapshotTree } from "../support/workspace-snapshot.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

let root: string;
beforeEach(() => {
  root = tempDir("repair-bad-input-");
});

function write(files: Record<string, string>): void {
  writeFiles(root, files);
}

/** A generator that must not be needed: these workspaces fail before candidates matter. */
const noCandidates = (): Promise<Candidate[]> => Promise.resolve([]);

async function run(
  overrides: Partial<Config> = {},
  hunks?: Parameters<typeof repairHunks>[1],
  generate: CandidateSource = noCandidates,
): Promise<RepairReport> {
  const before = snapshotTree(root);
  const env = {
    root,
    config: { ...defaultConfig(), "repair.workers": 1, "test.allowRun": "always" as const, ...overrides },
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    generate,
  };
  const report = hunks ? await repairHunks(env, hunks) : await fixAllFailing(env);
  expect(snapshotTree(root)).toBe(before);
  expect(ownScratchDirs(scratchRoot())).toEqual([]);
  return report;
}

const PASSING_PROJECT = {
  "calc.py": "def add(a, b):\n    return a + b\n",
  "test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
};

test("a test command that does not exist", async () => {
  write(PASSING_PROJECT);
  const report = await run({ "test.command": "no-such-test-runner-xyz" });
  // The user must fix the command: a configuration problem (fix-all exits 2), not a verdict on the code.
  expect(report.status).toBe("misconfigured");
  expect(report.message).toMatch(/could not run: .*not found/);
  expect(report.testCommand?.command).toBe("no-such-test-runner-xyz");
});

test("a hanging test command", async () => {
  write(PASSING_PROJECT);
  const started = Date.now();
  const report = await run({ "test.command": "sleep 600", "test.timeoutSeconds": 1 });
  // A hanging test is a failing test (its oracle: terminates and passes): reported unfixed, never a configuration
  // problem, and found within seconds rather than after a long timeout.
  expect(report.status).toBe("unfixed");
  expect(report.failingBefore).toHaveLength(1);
  expect(Date.now() - started).toBeLessThan(15_000);
});

test("a workspace with no tests", async () => {
  write({ "README.md": "notes\n", "tool.py": "print('hi')\n" });
  const report = await run();
  expect(report.status).toBe("no-tests");
  expect(report.message).toMatch(/No test command/);
});

test("a test suite that collects no test", async () => {
  write({ "pytest.ini": "[pytest]\n", "tool.py": "print('hi')\n" });
  const report = await run();
  expect(report.status).toBe("no-tests");
});

test("a bug no test exposes", async () => {
  write({ ...PASSING_PROJECT, "calc.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a + b\n" });
  const report = await run();
  expect(report.status).toBe("nothing-failing");
  expect(report.failingBefore).toEqual([]);
  const here = await run({}, [{ file: join(root, "calc.py"), startLine: 5, endLine: 6 }]);
  expect(here.status).toBe("nothing-failing");
});

test("code the parser does not fully understand is still repaired outside the error", async () => {
  write({
    // An implicit-int declaration that gcc accepts and tree-sitter reports as an error, beside the real bug.
    "calc.c": "const LIMIT = 10;\n\nint add(int a, int b) {\n    return a - b;\n}\n",
    "test_calc.c":
      "#include <assert.h>\nint add(int a, int b);\nint main(void) {\n    assert(add(1, 2) == 3);\n    return 0;\n}\n",
  });
  const report = await run({ "test.command": "gcc -w -o t calc.c test_calc.c && ./t" }, undefined, (context) =>
    Promise.resolve(
      context.buggyText.includes("a - b")
        ? [
            {
              text: "    return a + b;",
              score: 1,
              generator: "template",
              editKind: "operator",
              description: "`-` -> `+`",
            },
          ]
        : [],
    ),
  );
  expect(report.status).toBe("fixed");
  expect(report.notes.some((n) => /calc\.c:1: the parser reports a syntax error/.test(n))).toBe(true);
});

test("a compiled project that does not build", async () => {
  write({
    "go.mod": "module example.com/broken\n\ngo 1.19\n",
    "calc.go": "package calc\n\nfunc Add(a, b int) int { return a + c }\n",
    "calc_test.go":
      'package calc\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal("bad")\n\t}\n}\n',
  });
  const report = await run();
  expect(report.status).toBe("error");
  expect(report.message).toMatch(/does not build/);
});

test("running tests disabled by the setting", async () => {
  write(PASSING_PROJECT);
  const report = await run({ "test.allowRun": "never" });
  expect(report.status).toBe("misconfigured");
  expect(report.message).toMatch(/test\.allowRun/);
});
