import { describe, expect, test } from "vitest";
import { formatDiff, formatSarif, formatText, patchesToApply } from "../../server/cli/formats.js";
import type { JobReport, JobReportPatch } from "../../server/lsp/job-report.js";
import { sarifErrors } from "../support/sarif-schema.js";

function patch(id: string, verdict: "repair" | "partial", fixed: string[], still: string[] = []): JobReportPatch {
  return {
    id,
    description: `edit ${id}`,
    files: ["src/a b.py"],
    diff: `diff --git a/src/a b.py b/src/a b.py\n# ${id}\n`,
    edits: [{ file: "src/a b.py", startLine: 3, endLine: 4, oldText: "x\n", newText: "y\n" }],
    baseHashes: { "src/a b.py": "0".repeat(64) },
    validatedTests: { passed: 5 - still.length, total: 5 },
    verdict,
    fixedTests: fixed,
    stillFailing: still,
    validations: 2,
    generators: ["template"],
  };
}

function report(overrides: Partial<JobReport>): JobReport {
  return {
    jobId: "j",
    folder: "/work/my project",
    status: "unfixed",
    message: "m",
    testCommand: "pytest",
    testRunner: undefined,
    testsAtBaseline: 5,
    failingBefore: ["t::a", "t::b"],
    flaky: [],
    patches: [],
    partials: [],
    unfixed: ["t::a", "t::b"],
    testFiles: ["tests/t.py"],
    notes: [],
    validations: 3,
    seconds: 1,
    secondsToFirstPlausible: undefined,
    outcomes: {},
    failureSites: [{ test: "t::a", file: "tests/t.py", line: 9 }],
    ...overrides,
  };
}

const FIXED = report({ status: "fixed", patches: [patch("p1", "repair", ["t::a", "t::b"])], unfixed: [] });
const PARTIAL = report({ status: "partial", partials: [patch("q1", "partial", ["t::a"], ["t::b"])] });
const UNFIXED = report({});

describe("SARIF 2.1.0", () => {
  test.each([
    ["a fixed run", FIXED],
    ["a partial run", PARTIAL],
    ["an unfixed run", UNFIXED],
  ])("%s is valid against the official schema, every result located", (_name, job) => {
    expect(sarifErrors(JSON.parse(formatSarif(job, "1.2.3")))).toEqual([]);
  });

  test("the check itself refuses what code scanning refuses: a wrong version, a result without a location", () => {
    const log = JSON.parse(formatSarif(FIXED, "1")) as {
      version: string;
      runs: { results: { locations?: unknown }[] }[];
    };
    delete log.runs[0]!.results[0]!.locations;
    expect(sarifErrors(log)).toEqual(["result repair-ls/validated-repair has no physical location"]);
    expect(sarifErrors({ ...log, version: "2.0.0" }).length).toBeGreaterThan(1);
  });

  test("fixes only for repairs; partial patches and unfixed failures are located results without fixes", () => {
    const results = (job: JobReport) =>
      (JSON.parse(formatSarif(job, "1")) as { runs: { results: { ruleId: string; fixes?: unknown[] }[] }[] }).runs[0]!
        .results;
    expect(results(FIXED).map((r) => [r.ruleId, r.fixes !== undefined])).toEqual([
      ["repair-ls/validated-repair", true],
    ]);
    expect(results(PARTIAL).map((r) => [r.ruleId, r.fixes !== undefined])).toEqual([
      ["repair-ls/partial-repair", false],
      ["repair-ls/unfixed-failure", false],
      ["repair-ls/unfixed-failure", false],
    ]);
  });

  test("an unfixed failure is placed where its test failed, else at the first known failure site", () => {
    const log = JSON.parse(formatSarif(UNFIXED, "1")) as {
      runs: {
        results: { locations: { physicalLocation: { artifactLocation: { uri: string }; region: object } }[] }[];
      }[];
    };
    const places = log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation);
    expect(places.map((p) => [p.artifactLocation.uri, p.region])).toEqual([
      ["tests/t.py", { startLine: 10, endLine: 10 }],
      ["tests/t.py", { startLine: 10, endLine: 10 }],
    ]);
  });

  test("the root is a percent-encoded file URL", () => {
    const log = JSON.parse(formatSarif(FIXED, "1")) as {
      runs: { originalUriBaseIds: { SRCROOT: { uri: string } } }[];
    };
    expect(log.runs[0]!.originalUriBaseIds.SRCROOT.uri).toBe("file:///work/my%20project/");
  });
});

describe("what --apply and --format diff take", () => {
  test("repairs only; partial patches only when asked for and only when there is no repair", () => {
    expect(patchesToApply(PARTIAL)).toEqual([]);
    expect(formatDiff(PARTIAL)).toBe("");
    expect(patchesToApply(PARTIAL, { partial: true }).map((p) => p.id)).toEqual(["q1"]);
    const both = report({
      patches: [patch("p1", "repair", ["t::a", "t::b"])],
      partials: [patch("q1", "partial", ["t::a"])],
    });
    expect(patchesToApply(both, { partial: true }).map((p) => p.id)).toEqual(["p1"]);
  });

  test("the text format gives partial patches their own section", () => {
    const text = formatText(PARTIAL);
    expect(text).toContain("partial patches (not repairs: applied only with --apply-partial):");
    expect(text).toContain("partial 1: edit q1 (fixes 1 of 2 failing tests, no test broken; 4/5 tests pass)");
    expect(text).not.toContain("best repair");
  });
});
