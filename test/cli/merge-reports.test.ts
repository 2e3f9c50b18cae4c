import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { planWrites, writePlanned } from "../../server/cli/apply.js";
import { parseApplyArgs, runApply } from "../../server/cli/apply-report.js";
import { parseShard, parseFixAllArgs, shardFromEnvironment } from "../../server/cli/fix-all-args.js";
import { formatDiff, formatSarif, formatText, patchesToApply } from "../../server/cli/formats.js";
import { mergeReports, parseMergeArgs, type ShardReport } from "../../server/cli/merge-reports.js";
import { readReportFile } from "../../server/cli/report-file.js";
import type { JobReport, JobReportPatch } from "../../server/lsp/job-report.js";
import { groupByOverlap, groupId, planFromGroups, shardOfGroup, type ShardPlan } from "../../server/pipeline/shard.js";
import { sarifErrors } from "../support/sarif-schema.js";
import { tempDir } from "../support/temp.js";

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

describe("repair groups", () => {
  test("tests sharing a suspicious file stay together, also through a chain; a test with none is alone", () => {
    const groups = groupByOverlap(
      new Map([
        ["t/a::one", new Set(["a.py"])],
        ["t/b::two", new Set(["b.py", "c.py"])],
        ["t/c::three", new Set(["c.py", "d.py"])],
        ["t/d::four", new Set(["d.py"])],
        ["t/e::five", new Set<string>()],
        ["t/a::six", new Set(["a.py"])],
      ]),
    );
    expect(groups).toEqual([["t/a::one", "t/a::six"], ["t/b::two", "t/c::three", "t/d::four"], ["t/e::five"]]);
  });

  test("ids and shards depend on the tests only, not on their order, and every shard gets the same plan", () => {
    expect(groupId(["b", "a"])).toBe(groupId(["a", "b"]));
    expect(groupId(["a", "b"])).toBe(sha("a\nb").slice(0, 16));
    const groups = Array.from({ length: 40 }, (_, i) => ({ tests: [`t::test_${i}`], files: [`m${i}.py`] }));
    const plans = [1, 2, 3, 4].map((index) => planFromGroups({ index, total: 4 }, groups));
    expect(new Set(plans.map((p) => JSON.stringify(p.groups))).size).toBe(1);
    // Every group is owned by exactly one shard, and with 40 groups every one of 4 shards owns some.
    const owned = plans.flatMap((p) => p.owned);
    expect(owned.sort()).toEqual(plans[0]!.groups.map((g) => g.id).sort());
    for (const plan of plans) expect(plan.owned.length).toBeGreaterThan(0);
    for (const g of plans[0]!.groups) expect(g.shard).toBe(shardOfGroup(g.id, 4));
  });
});

describe("--shard", () => {
  test.each([
    ["2/4", { index: 2, total: 4 }],
    ["1/1", { index: 1, total: 1 }],
  ])("%s", (text, expected) => expect(parseShard(text)).toEqual(expected));

  test.each(["0/4", "5/4", "1/0", "2", "a/b", "-1/2", ""])("%s is refused with a reason", (text) => {
    expect(typeof parseShard(text)).toBe("string");
  });

  test("is parsed by fix-all, and refused with --apply", () => {
    expect(parseFixAllArgs(["--shard", "3/4"])).toMatchObject({ shard: { index: 3, total: 4 } });
    expect(parseFixAllArgs(["--shard=auto"])).toMatchObject({ shard: "auto" });
    expect(parseFixAllArgs(["--shard", "5/4"])).toHaveProperty("error");
    expect(parseFixAllArgs(["--shard", "1/2", "--apply"])).toHaveProperty("error");
  });

  test("auto reads GitLab's 1-based CI_NODE_INDEX, else Buildkite's 0-based BUILDKITE_PARALLEL_JOB", () => {
    expect(shardFromEnvironment({ CI_NODE_INDEX: "1", CI_NODE_TOTAL: "3" })).toEqual({ index: 1, total: 3 });
    expect(shardFromEnvironment({ BUILDKITE_PARALLEL_JOB: "0", BUILDKITE_PARALLEL_JOB_COUNT: "3" })).toEqual({
      index: 1,
      total: 3,
    });
    expect(shardFromEnvironment({ BUILDKITE_PARALLEL_JOB: "2", BUILDKITE_PARALLEL_JOB_COUNT: "3" })).toEqual({
      index: 3,
      total: 3,
    });
    expect(shardFromEnvironment({})).toMatch(/CI_NODE_INDEX/);
    expect(shardFromEnvironment({ CI_NODE_INDEX: "4", CI_NODE_TOTAL: "3" })).toMatch(/1 <= i <= n/);
    expect(shardFromEnvironment({ CI_NODE_INDEX: "x", CI_NODE_TOTAL: "3" })).toMatch(/whole numbers/);
    expect(shardFromEnvironment({ BUILDKITE_PARALLEL_JOB: "3", BUILDKITE_PARALLEL_JOB_COUNT: "3" })).toMatch(
      /1 <= i <= n/,
    );
  });
});

const BASE = "def f(x):\n    return x > 1\n\n\ndef g(x):\n    return x < 1\n";

function patch(id: string, file: string, line: number, newText: string, fixed: string[]): JobReportPatch {
  const oldText = BASE.split("\n")[line]! + "\n";
  return {
    id,
    description: `${id}: ${oldText.trim()} -> ${newText.trim()}`,
    files: [file],
    diff: `diff --git a/${file} b/${file}\n`,
    edits: [{ file, startLine: line, endLine: line + 1, oldText, newText }],
    baseHashes: { [file]: sha(BASE) },
    validatedTests: { passed: 3, total: 4 },
    verdict: "repair",
    fixedTests: fixed,
    stillFailing: [],
    validations: 1,
    generators: ["template"],
  };
}

/** The shard (1 or 2) that owns a one-test group. */
function ownerOf(test: string): number {
  return shardOfGroup(groupId([test]), 2);
}

/** Two one-test groups that hash to different shards, each test about one function of m.py. */
const TEST_F = "t.py::test_f";
const TEST_G = ["t.py::test_g", "t.py::test_g_2", "t.py::test_g_3", "t.py::test_g_4"].find(
  (t) => ownerOf(t) !== ownerOf(TEST_F),
)!;
const GROUPS = [
  { tests: [TEST_F], files: ["m.py"] },
  { tests: [TEST_G], files: ["m.py"] },
];

function shardReport(index: number, patches: JobReportPatch[], plan?: ShardPlan): ShardReport {
  const shard = plan ?? planFromGroups({ index, total: 2 }, GROUPS);
  const owned = shard.groups.filter((g) => shard.owned.includes(g.id)).flatMap((g) => g.tests);
  const report: JobReport = {
    jobId: `j${index}`,
    folder: "/ci/work",
    status: patches.length > 0 ? "fixed" : "unfixed",
    message: "m",
    testCommand: "python3 -m pytest",
    testRunner: { kind: "pytest", command: "python3 -m pytest", source: "pytest.ini", canSelect: true },
    testsAtBaseline: 4,
    failingBefore: [TEST_F, TEST_G],
    flaky: [],
    patches,
    partials: [],
    unfixed: owned.filter((t) => !patches.some((p) => p.fixedTests.includes(t))),
    testFiles: ["t.py"],
    notes: [],
    validations: 3,
    seconds: 10 + index,
    secondsToFirstPlausible: 1,
    outcomes: { plausible: 1 },
    failureSites: [{ test: owned[0] ?? TEST_F, file: "t.py", line: 3 }],
    shard,
  };
  return { name: `shard-${index}.json`, report };
}

describe("merge-reports", () => {
  let dir: string | undefined;

  const fixF = patch("p1", "m.py", 1, "    return x >= 1\n", [TEST_F]);
  const fixG = patch("p1", "m.py", 5, "    return x <= 1\n", [TEST_G]);

  /** Each shard's report with the repairs of the group it owns. */
  function twoShards(forF: JobReportPatch[], forG: JobReportPatch[]): ShardReport[] {
    return [1, 2].map((index) => shardReport(index, ownerOf(TEST_F) === index ? forF : forG));
  }

  test("joins non-overlapping repairs of one file, and apply writes both into it", async () => {
    const merged = mergeReports(twoShards([fixF], [fixG]));
    expect(merged.status).toBe("fixed");
    expect(merged.unfixed).toEqual([]);
    expect(merged.merge).toMatchObject({ missingShards: [], missingGroups: [], conflicts: [], disagreements: [] });
    expect(patchesToApply(merged)).toHaveLength(2);
    expect(merged.seconds).toBe(12);
    dir = tempDir("merge-");
    writeFileSync(join(dir, "m.py"), BASE);
    await writePlanned(await planWrites(dir, patchesToApply(merged)));
    expect(readFileSync(join(dir, "m.py"), "utf8")).toBe(BASE.replace("x > 1", "x >= 1").replace("x < 1", "x <= 1"));
  });

  test("two shards editing the same lines differently are a conflict: neither repair is merged", () => {
    // A group's repair that strays into the other group's function: both shards edit line 2 (1-based).
    const strayG = patch("p1", "m.py", 1, "    return x != 1\n", [TEST_G]);
    const merged = mergeReports(twoShards([fixF], [strayG]));
    expect(merged.patches).toEqual([]);
    expect(merged.status).toBe("unfixed");
    expect([...merged.unfixed].sort()).toEqual([TEST_F, TEST_G].sort());
    expect(merged.merge.conflicts).toEqual([
      expect.objectContaining({ file: "m.py", lines: "2", reason: "overlapping edits" }),
    ]);
    expect(formatText(merged)).toMatch(/conflict \(not merged\): m\.py:2, overlapping edits/);
    expect(formatDiff(merged)).toBe("");
    const sarif = JSON.parse(formatSarif(merged, "0.0.0")) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual([
      "repair-ls/unfixed-failure",
      "repair-ls/unfixed-failure",
    ]);
  });

  test("a shard's text report says which share of the groups it repaired", () => {
    const report = shardReport(1, []).report;
    expect(formatText(report)).toContain("shard 1/2: repairs 1 of 2 repair groups (1 failing test)");
  });

  test("the same repair found by two shards is merged once; different file versions conflict", () => {
    const same = mergeReports([shardReport(1, [fixF]), shardReport(2, [fixF])]);
    expect(same.patches).toHaveLength(1);
    const other = { ...fixF, baseHashes: { "m.py": sha("something else\n") } };
    const versions = mergeReports([shardReport(1, [fixF]), shardReport(2, [other])]);
    expect(versions.merge.conflicts).toEqual([expect.objectContaining({ reason: "different base versions" })]);
  });

  test("missing shards, uncovered groups and disagreeing plans are reported; bad sets are refused", () => {
    const alone = mergeReports([shardReport(1, [])]);
    expect(alone.merge.missingShards).toEqual([2]);
    const ownedBy2 = planFromGroups({ index: 2, total: 2 }, GROUPS).owned;
    expect(alone.merge.missingGroups).toEqual(ownedBy2);
    expect(alone.status).not.toBe("fixed");
    const otherPlan = planFromGroups({ index: 2, total: 2 }, [{ tests: [TEST_F, TEST_G], files: [] }]);
    const disagree = mergeReports([shardReport(1, []), shardReport(2, [], otherPlan)]);
    expect(disagree.merge.disagreements).toHaveLength(1);
    expect(() => mergeReports([shardReport(1, []), shardReport(1, [])])).toThrow(/both shard 1\/2/);
    const unsharded = { name: "full.json", report: { ...shardReport(1, []).report, shard: undefined } };
    expect(() => mergeReports([unsharded])).toThrow(/not the report of a sharded run/);
    const ofThree = shardReport(1, [], planFromGroups({ index: 1, total: 3 }, GROUPS));
    expect(() => mergeReports([shardReport(1, []), ofThree])).toThrow(/shard 1\/3/);
  });

  test("arguments and report files are checked with clear errors", () => {
    expect(parseMergeArgs([])).toHaveProperty("error");
    expect(parseMergeArgs(["a.json", "--format", "xml"])).toHaveProperty("error");
    expect(parseMergeArgs(["a.json", "b.json", "--format=sarif"])).toEqual({
      files: ["a.json", "b.json"],
      format: "sarif",
      output: undefined,
    });
    dir = tempDir("merge-");
    writeFileSync(join(dir, "bad.json"), "{ not json");
    writeFileSync(join(dir, "other.json"), JSON.stringify({ hello: 1 }));
    writeFileSync(join(dir, "good.json"), JSON.stringify(shardReport(1, [fixF]).report));
    expect(readReportFile(join(dir, "bad.json"))).toMatch(/not JSON/);
    expect(readReportFile(join(dir, "other.json"))).toMatch(/not a repair-ls JSON report/);
    expect(readReportFile(join(dir, "missing.json"))).toMatch(/cannot be read/);
    expect(readReportFile(join(dir, "good.json"))).toMatchObject({ patches: [{ id: "p1" }] });
  });
});

describe("apply", () => {
  let dir: string | undefined;

  test("refuses, writing and running nothing, a report whose test command is not the one detected here", async () => {
    dir = tempDir("apply-command-");
    writeFileSync(join(dir, "pytest.ini"), "[pytest]\n");
    writeFileSync(join(dir, "m.py"), BASE);
    writeFileSync(join(dir, "test_m.py"), "from m import f\n\n\ndef test_f():\n    assert f(1)\n");
    const { report } = shardReport(1, [patch("p1", "m.py", 1, "    return x >= 1\n", [TEST_F])]);
    const hostile: JobReport = {
      ...report,
      testRunner: { kind: "custom", command: "touch pwned && python3 -m pytest", source: "report", canSelect: false },
    };
    const path = join(dir, "report.json");
    writeFileSync(path, JSON.stringify(hostile));
    expect(await runApply([path, dir])).toBe(2);
    expect(readFileSync(join(dir, "m.py"), "utf8")).toBe(BASE);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
    // Repeating a different command than the report's is refused too.
    expect(await runApply([path, dir, "--test-command", "python3 -m pytest"])).toBe(2);
    expect(readFileSync(join(dir, "m.py"), "utf8")).toBe(BASE);
  });

  test("takes --test-command", () => {
    expect(parseApplyArgs(["r.json", "--test-command", "make check"])).toEqual({
      report: "r.json",
      dir: ".",
      timeoutSeconds: expect.any(Number) as number,
      testCommand: "make check",
    });
    expect(parseApplyArgs(["r.json", "--test-command="])).toHaveProperty("error");
  });
});
