import { spawn, spawnSync } from "node:child_process";
import { chmodSync, readFileSync, readdirSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SERVER_MAIN } from "../support/lsp-client.js";
import { sarifErrors } from "../support/sarif-schema.js";
import { copyFixture, runTests, scratchDirsOf } from "../support/workspace-copy.js";
import { tempDir, waitFor } from "../support/temp.js";

// Each run is a real repair: fast settings for the project copy keep the suite short without changing the path.
const FAST = { "repair.stopAfterPlausible": 1 };
const CLI_TIMEOUT = 300_000;

const FIXTURES = [
  { name: "Python", dir: "test/fixtures/example", test: "python3 -m pytest -q", failing: 2 },
  { name: "JavaScript", dir: "test/fixtures/bugs/js-lru-cache/project", test: "node --test", failing: 2 },
];

function project(fixture: string, settings: Record<string, unknown> = FAST): string {
  const dir = copyFixture(fixture);
  writeFileSync(join(dir, ".repair-ls.json"), JSON.stringify(settings));
  return dir;
}

interface SarifArtifactChange {
  artifactLocation: { uri: string };
  replacements: { deletedRegion: { startLine: number; endLine: number }; insertedContent: { text: string } }[];
}

/** Whole-line SARIF replacements (column 1 to column 1, 1-based lines), applied bottom-up. */
function applySarifReplacements(text: string, replacements: SarifArtifactChange["replacements"]): string {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const bottomUp = [...replacements].sort((a, b) => b.deletedRegion.startLine - a.deletedRegion.startLine);
  for (const { deletedRegion, insertedContent } of bottomUp) {
    const start = deletedRegion.startLine - 1;
    lines.splice(start, deletedRegion.endLine - 1 - start, insertedContent.text);
  }
  return lines.join("");
}

/** Direct children of a process, from /proc (the tests run on Linux). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid && fields[0] !== "Z") out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Whether a process exists and is not a zombie (this container's PID 1 may not reap). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The first child process of `pid`, once it has one (polled every 50 ms for at most 60 s). */
async function firstChildOf(pid: number): Promise<number> {
  const child = await waitFor(() => childPids(pid)[0], { timeoutMs: 60_000, intervalMs: 50 });
  if (child === undefined) throw new Error(`process ${pid} started no child within 60 s`);
  return child;
}

function fixAll(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [SERVER_MAIN, "fix-all", ...args], {
    encoding: "utf8",
    timeout: CLI_TIMEOUT - 10_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe.each(FIXTURES)("fix-all on the $name fixture", ({ dir: fixture, test: testCommand, failing }) => {
  test(
    "--format json reports the repair; its diff applies with git apply and makes the tests pass",
    () => {
      const dir = project(fixture);
      // The report goes outside the workspace.
      const out = join(tempDir("repair-ls-report-"), "report.json");
      const run = fixAll([dir, "--format", "json", "--output", out, "--engine", "builtin"]);
      // Without --apply the failing tests still fail in place: exit 1, whatever was found.
      expect(run.status, run.stderr).toBe(1);
      expect(run.stdout).toBe("");
      const report = JSON.parse(readFileSync(out, "utf8")) as {
        failingBefore: string[];
        patches: {
          files: string[];
          diff: string;
          validatedTests: { passed: number; total: number };
          validations: number;
        }[];
        unfixed: string[];
        validations: number;
        seconds: number;
      };
      expect(report.failingBefore).toHaveLength(failing);
      expect(report.unfixed).toEqual([]);
      expect(report.validations).toBeGreaterThan(0);
      expect(report.seconds).toBeGreaterThan(0);
      const best = report.patches[0]!;
      expect(best.files.length).toBeGreaterThan(0);
      expect(best.validatedTests.passed).toBe(best.validatedTests.total);
      expect(best.validations).toBeGreaterThan(0);
      expect(runTests(testCommand, dir).status).not.toBe(0);
      const apply = spawnSync("git", ["apply", "-"], { cwd: dir, input: best.diff, encoding: "utf8" });
      expect(apply.status, apply.stderr).toBe(0);
      expect(runTests(testCommand, dir).status).toBe(0);
    },
    CLI_TIMEOUT,
  );

  test(
    "--apply writes the validated repair, leaving the tests passing; --format diff prints a git-apply-able diff",
    () => {
      const dir = project(fixture);
      const diffRun = fixAll([dir, "--format", "diff"]);
      expect(diffRun.status, diffRun.stderr).toBe(1);
      expect(diffRun.stdout).toMatch(/^diff --git a\//);
      const check = spawnSync("git", ["apply", "--check", "-"], { cwd: dir, input: diffRun.stdout, encoding: "utf8" });
      expect(check.status, check.stderr).toBe(0);
      const applied = fixAll([dir, "--apply"]);
      expect(applied.status, applied.stderr).toBe(0);
      expect(applied.stderr).toMatch(/applied .*: in place, (\d+)\/\1 tests pass/);
      expect(runTests(testCommand, dir).status).toBe(0);
      // Nothing is left failing, so a second run has nothing to do and says so.
      const again = fixAll([dir]);
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/nothing|pass/i);
    },
    CLI_TIMEOUT,
  );
});

describe("fix-all formats and exit codes", () => {
  test(
    "text and SARIF 2.1.0 describe the same repair",
    () => {
      const dir = project("test/fixtures/example");
      const text = fixAll([dir, "--engine", "builtin"]);
      expect(text.status).toBe(1);
      // The summary is printed once: in the report on stdout, not again by the server on stderr.
      expect(text.stderr).not.toContain("Found a repair");
      expect(text.stdout.match(/Found a repair/g)).toHaveLength(1);
      expect(text.stdout).toMatch(/best repair: .*\(every failing test passes, no test broken; 7\/7 tests pass\)/);
      expect(text.stdout).toContain("--- a/stats.py");
      const sarifRun = fixAll([dir, "--format=sarif"]);
      expect(sarifRun.status).toBe(1);
      expect(sarifErrors(JSON.parse(sarifRun.stdout))).toEqual([]);
      const sarif = JSON.parse(sarifRun.stdout) as {
        version: string;
        runs: {
          tool: { driver: { name: string } };
          results: { ruleId: string; fixes?: { artifactChanges: SarifArtifactChange[] }[] }[];
        }[];
      };
      expect(sarif.version).toBe("2.1.0");
      expect(sarif.runs[0]?.tool.driver.name).toBe("repair-ls");
      const repair = sarif.runs[0]?.results.find((r) => r.ruleId === "repair-ls/validated-repair");
      const change = repair?.fixes?.[0]?.artifactChanges[0];
      expect(change?.artifactLocation.uri).toBe("stats.py");
      // The SARIF fix, applied as a SARIF consumer would, gives exactly the file the unified diff gives.
      const byDiff = project("test/fixtures/example");
      const diff = fixAll([dir, "--format", "diff"]).stdout;
      const gitApply = spawnSync("git", ["apply", "-"], { cwd: byDiff, input: diff, encoding: "utf8" });
      expect(gitApply.status, gitApply.stderr).toBe(0);
      const bySarif = applySarifReplacements(readFileSync(join(dir, "stats.py"), "utf8"), change!.replacements);
      expect(bySarif).toBe(readFileSync(join(byDiff, "stats.py"), "utf8"));
      // Reporting never touches the files.
      expect(runTests("python3 -m pytest -q", dir).status).not.toBe(0);
    },
    CLI_TIMEOUT,
  );

  test(
    "exit 1 when a failing test has no validated repair",
    () => {
      const dir = tempDir("repair-ls-unfixable-");
      writeFileSync(join(dir, "calc.py"), "def area(r):\n    return 3 * r * r\n");
      writeFileSync(
        join(dir, "test_calc.py"),
        "from calc import area\n\n\ndef test_area():\n    assert area(2) == 12.566370614359172\n",
      );
      writeFileSync(join(dir, ".repair-ls.json"), JSON.stringify({ "repair.maxValidations": 15 }));
      const run = fixAll([dir, "--budget-seconds", "60", "--format", "json"]);
      expect(run.status, run.stderr).toBe(1);
      const report = JSON.parse(run.stdout) as {
        unfixed: string[];
        patches: { validatedTests: { passed: number; total: number } }[];
      };
      expect(report.unfixed).toEqual(["test_calc.py::test_area"]);
      const sarif = fixAll([dir, "--budget-seconds", "20", "--format", "sarif"]);
      expect(sarif.status).toBe(1);
      expect(sarifErrors(JSON.parse(sarif.stdout))).toEqual([]);
    },
    CLI_TIMEOUT,
  );

  test(
    "a program that loops forever: its hanging tests are failing tests, and the budget bounds the whole job",
    () => {
      const dir = project("test/fixtures/bugs/py-isqrt-hang/project");
      const budget = 40;
      const run = fixAll([dir, "--budget-seconds", String(budget), "--format", "json", "--engine", "builtin"]);
      // Repaired or not, failing tests remain in place without --apply: exit 1, never a configuration error.
      expect(run.status, run.stderr).toBe(1);
      const report = JSON.parse(run.stdout) as { failingBefore: string[]; seconds: number; status: string };
      expect(report.failingBefore).toEqual(
        expect.arrayContaining([
          "tests/test_roots.py::test_isqrt_rounds_down",
          "tests/test_roots.py::test_isqrt_of_one",
        ]),
      );
      expect(["fixed", "unfixed", "partial"]).toContain(report.status);
      // The budget is the budget: baseline, hang search, repair search and confirmation within 5 %.
      expect(report.seconds).toBeLessThanOrEqual(budget * 1.05);
    },
    CLI_TIMEOUT,
  );

  test(
    "--apply rolls back, byte for byte and mode kept, when the tests in place disagree with validation",
    () => {
      const dir = project("test/fixtures/example");
      // A test that passes in any scratch copy but not in the user's own folder (an absolute path in a test):
      // validation proves the repair, the in-place run refutes it, and the write must be undone.
      writeFileSync(join(dir, ".in-place"), realpathSync(dir));
      writeFileSync(
        join(dir, "tests", "test_place.py"),
        [
          "import os",
          "",
          "",
          "def test_not_in_the_users_folder():",
          "    here = os.path.realpath(os.getcwd())",
          "    assert not os.path.exists('.in-place') or here != open('.in-place').read().strip()",
          "",
        ].join("\n"),
      );
      const before = readFileSync(join(dir, "stats.py"));
      chmodSync(join(dir, "stats.py"), 0o751);
      const run = fixAll([dir, "--apply", "--engine", "builtin"]);
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(
        /rolled back: in place, tests that passed before now fail: .*test_not_in_the_users_folder/,
      );
      expect(readFileSync(join(dir, "stats.py"))).toEqual(before);
      expect(statSync(join(dir, "stats.py")).mode & 0o777).toBe(0o751);
    },
    CLI_TIMEOUT,
  );

  test(
    "a server that dies mid-job is exit 2 with the cause, never an empty success",
    async () => {
      const dir = tempDir("repair-ls-slow-");
      writeFileSync(join(dir, "slow.py"), "import time\n\n\ndef wait():\n    time.sleep(60)\n    return 1\n");
      writeFileSync(join(dir, "test_slow.py"), "from slow import wait\n\n\ndef test_wait():\n    assert wait() == 2\n");
      const child = spawn(process.execPath, [SERVER_MAIN, "fix-all", dir, "--format", "json"], { stdio: "pipe" });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
      const server = await firstChildOf(child.pid!);
      // The baseline run is under way once the server has a child of its own.
      await firstChildOf(server);
      process.kill(server, "SIGKILL");
      expect(await exited, stderr).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(/server was killed by SIGKILL before the job ended/);
    },
    CLI_TIMEOUT,
  );

  test(
    "Ctrl-C cancels the job, waits for cleanup and exits 130 with nothing written",
    async () => {
      const dir = tempDir("repair-ls-interrupt-");
      writeFileSync(join(dir, "slow.py"), "import time\n\n\ndef wait():\n    time.sleep(60)\n    return 1\n");
      writeFileSync(join(dir, "test_slow.py"), "from slow import wait\n\n\ndef test_wait():\n    assert wait() == 2\n");
      const child = spawn(process.execPath, [SERVER_MAIN, "fix-all", dir, "--apply"], { stdio: "pipe" });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
      const server = await firstChildOf(child.pid!);
      const testProcess = await firstChildOf(server);
      child.kill("SIGINT");
      expect(await exited, stderr).toBe(130);
      expect(stderr).toMatch(/cancelled; nothing was written/);
      expect(alive(testProcess)).toBe(false);
      expect(scratchDirsOf(server)).toEqual([]);
      expect(readFileSync(join(dir, "slow.py"), "utf8")).toContain("time.sleep(60)");
    },
    CLI_TIMEOUT,
  );

  test(
    "an unknown key in .repair-ls.json is named on stderr, and the run goes on with the other settings",
    () => {
      const dir = tempDir("repair-ls-unknown-key-");
      writeFileSync(join(dir, "pytest.ini"), "[pytest]\n");
      writeFileSync(join(dir, "calc.py"), "def add(a, b):\n    return a + b\n");
      writeFileSync(
        join(dir, "test_calc.py"),
        "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
      );
      // The server sends the problem as data (repair/configProblem): the CLI decides by its kind, not its wording.
      writeFileSync(join(dir, ".repair-ls.json"), JSON.stringify({ "repair.stopAfterPlausibel": 2 }));
      const run = fixAll([dir, "--format", "json"]);
      expect(run.stderr).toContain('ignored the unknown setting "repair.stopAfterPlausibel" in');
      expect(run.stderr).toContain(join(dir, ".repair-ls.json"));
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ status: "nothing-failing", testsAtBaseline: 1 });
    },
    CLI_TIMEOUT,
  );

  test(
    "exit 2 for usage and configuration errors",
    () => {
      expect(fixAll(["--format", "xml"]).status).toBe(2);
      expect(fixAll(["/no/such/folder"]).status).toBe(2);
      const dir = project("test/fixtures/example", { "test.timeoutSeconds": "soon" });
      const run = fixAll([dir]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('invalid setting "test.timeoutSeconds"');
      const noTests = tempDir("repair-ls-empty-");
      writeFileSync(join(noTests, "main.py"), "print('hello')\n");
      const empty = fixAll([noTests]);
      expect(empty.status).toBe(2);
      expect(empty.stdout).toMatch(/test/i);
    },
    CLI_TIMEOUT,
  );
});
