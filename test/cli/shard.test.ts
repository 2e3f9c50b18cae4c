import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { patchesToApply } from "../../server/cli/formats.js";
import type { MergedReport } from "../../server/cli/merged-report.js";
import type { JobReport, JobReportEdit } from "../../server/lsp/job-report.js";
import { loadExamples, memoryFolder } from "../../server/pipeline/memory/memory-store.js";
import { SERVER_MAIN } from "../support/lsp-client.js";
import { sarifErrors } from "../support/sarif-schema.js";
import { copyFixture, runTests } from "../support/workspace-copy.js";

// Four independent bugs in four modules (test/fixtures/shard-four-bugs), repaired for real: once unsharded, and by
// two shards running side by side, as two CI runners would. The search stops at the first plausible patch to keep
// the runs short; the path is the one CI takes.
const FIXTURE = "test/fixtures/shard-four-bugs";
const SETTINGS = { "repair.stopAfterPlausible": 1 };
const MODULES = ["grades.py", "paging.py", "shipping.py", "text.py"];
const RUN_TIMEOUT = 900_000;

interface CliRun {
  readonly status: number | null;
  readonly stderr: string;
  readonly stdout: string;
}

/** Runs the built CLI without blocking, so that several runs go side by side. */
function cli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function workspace(): string {
  const dir = copyFixture(FIXTURE);
  writeFileSync(join(dir, ".repair-ls.json"), JSON.stringify(SETTINGS));
  return dir;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** A patch set's edits as comparable strings, in a stable order. */
function editKeys(edits: readonly JobReportEdit[]): string[] {
  return edits.map((e) => `${e.file}:${e.startLine}-${e.endLine}:${JSON.stringify(e.newText)}`).sort();
}

/** Each module's bytes, to show that a refused or rolled-back apply left every file as it was. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(MODULES.map((m) => [m, readFileSync(join(dir, m), "utf8")]));
}

describe("fix-all --shard over two runners, merge-reports and apply", () => {
  let full: JobReport;
  let shards: JobReport[];
  let merged: MergedReport;
  let mergedPath: string;
  let out: string;

  beforeAll(async () => {
    out = workspace();
    const [fullDir, dir1, dir2] = [workspace(), workspace(), workspace()];
    const json = (name: string): string[] => ["--engine", "builtin", "--format", "json", "--output", join(out, name)];
    const runs = await Promise.all([
      cli(["fix-all", fullDir, ...json("full.json")]),
      cli(["fix-all", dir1, "--shard", "1/2", ...json("shard-1.json")]),
      cli(["fix-all", dir2, "--shard=2/2", ...json("shard-2.json")]),
    ]);
    // Without --apply failing tests remain in place: exit 1 for every run.
    for (const run of runs) expect(run.status, run.stderr).toBe(1);
    full = readJson<JobReport>(join(out, "full.json"));
    shards = [1, 2].map((i) => readJson<JobReport>(join(out, `shard-${i}.json`)));
    mergedPath = join(out, "merged.json");
    const merge = await cli([
      "merge-reports",
      join(out, "shard-1.json"),
      join(out, "shard-2.json"),
      "--format",
      "json",
    ]);
    expect(merge.status, merge.stderr).toBe(0);
    writeFileSync(mergedPath, merge.stdout);
    merged = JSON.parse(merge.stdout) as MergedReport;
  }, RUN_TIMEOUT);

  test("every runner computes the same four one-module groups, and each group has exactly one owner", () => {
    const [one, two] = shards.map((s) => s.shard!);
    expect(one!.groups).toEqual(two!.groups);
    expect(one!.groups.map((g) => g.files)).toEqual(expect.arrayContaining(MODULES.map((m) => [m])));
    expect(one!.groups).toHaveLength(4);
    expect([...one!.owned, ...two!.owned].sort()).toEqual(one!.groups.map((g) => g.id).sort());
    // Each shard repaired exactly the failing tests of the groups it owned.
    for (const report of shards) {
      const ownedTests = report.shard!.groups.filter((g) => report.shard!.owned.includes(g.id)).flatMap((g) => g.tests);
      expect([...new Set(patchesToApply(report).flatMap((p) => p.fixedTests))].sort()).toEqual(ownedTests.sort());
    }
  });

  test("the merged report's repairs equal the unsharded run's", () => {
    expect(full.status).toBe("fixed");
    expect(merged.status).toBe("fixed");
    expect(merged.unfixed).toEqual([]);
    expect(merged.merge).toMatchObject({ missingShards: [], missingGroups: [], conflicts: [], disagreements: [] });
    expect([...merged.failingBefore].sort()).toEqual([...full.failingBefore].sort());
    expect(editKeys(patchesToApply(merged).flatMap((p) => p.edits))).toEqual(
      editKeys(patchesToApply(full).flatMap((p) => p.edits)),
    );
  });

  test("the merged SARIF is one valid run with a fix per repair, and the merged diff applies with git apply", async () => {
    const sarif = await cli(["merge-reports", join(out, "shard-1.json"), join(out, "shard-2.json"), "--format=sarif"]);
    expect(sarif.status, sarif.stderr).toBe(0);
    const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; fixes?: unknown[] }[] }[] };
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]!.results.every((r) => r.ruleId === "repair-ls/validated-repair" && r.fixes?.length === 1)).toBe(
      true,
    );
    const diff = await cli(["merge-reports", join(out, "shard-1.json"), join(out, "shard-2.json"), "--format", "diff"]);
    const dir = workspace();
    writeFileSync(join(dir, "merged.diff"), diff.stdout);
    expect(runTests("git apply merged.diff", dir).status).toBe(0);
    expect(runTests("python3 -m pytest -q -p no:cacheprovider", dir).status).toBe(0);
  });

  test("apply writes the merged repairs and confirms them in place", async () => {
    const dir = workspace();
    const run = await cli(["apply", mergedPath, dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/wrote 4 files; confirming with the tests in place/);
    expect(runTests("python3 -m pytest -q -p no:cacheprovider", dir).status).toBe(0);
    // The applied repairs became examples of the workspace's repair memory.
    const remembered = await loadExamples(memoryFolder(dir, ".repair-ls/index"), "python");
    expect(remembered.filter((e) => e.source.startsWith("applied repair")).length).toBe(4);
  });

  test("apply rolls every file back when the tests in place disagree (a test added since)", async () => {
    const dir = workspace();
    const before = snapshot(dir);
    writeFileSync(
      join(dir, "tests", "test_added_since.py"),
      'from grades import letter\n\n\ndef test_added_since():\n    assert letter(100) == "A+"\n',
    );
    const run = await cli(["apply", mergedPath, dir]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/rolled back: .*test_added_since.*every written file is as it was/s);
    expect(snapshot(dir)).toEqual(before);
  });

  test("apply refuses, writing nothing, when a file it would edit changed since", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "text.py"), `${readFileSync(join(dir, "text.py"), "utf8")}\n# edited since\n`);
    const before = snapshot(dir);
    const run = await cli(["apply", mergedPath, dir]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/text\.py changed since the repair was computed; nothing was written/);
    expect(snapshot(dir)).toEqual(before);
  });

  test("bad input gets a clear error and exit 2", async () => {
    const unsharded = await cli(["merge-reports", join(out, "full.json")]);
    expect(unsharded.status).toBe(2);
    expect(unsharded.stderr).toMatch(/not the report of a sharded run/);
    const missing = await cli(["apply", join(out, "nothing-here.json"), out]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot be read/);
    const noCi = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CI_NODE_|BUILDKITE_)/.test(k)));
    const auto = await cli(["fix-all", out, "--shard", "auto"], noCi);
    expect(auto.status).toBe(2);
    expect(auto.stderr).toMatch(/CI_NODE_INDEX/);
  });
});
