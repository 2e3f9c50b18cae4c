import { pathToFileURL } from "node:url";
import type { Log, Location, Result } from "sarif";
import type { JobReport, JobReportPatch } from "../lsp/job-report.js";
import { plural } from "../pipeline/task/messages.js";
import { isMerged, type MergedReport } from "./merged-report.js";

/** What a patch was verified to do, in the words every format uses. */
function verified(patch: JobReportPatch): string {
  const suite = `${patch.validatedTests.passed}/${patch.validatedTests.total} tests pass`;
  return patch.verdict === "repair"
    ? `every failing test passes, no test broken; ${suite}`
    : `fixes ${patch.fixedTests.length} of ${patch.fixedTests.length + patch.stillFailing.length} failing tests, no test broken; ${suite}`;
}

/** Human-readable summary for a terminal or a CI log. */
export function formatText(report: JobReport): string {
  const lines: string[] = [];
  lines.push(`repair-ls: ${report.message}`);
  if (report.testCommand) lines.push(`test command: ${report.testCommand}`);
  if (report.failingBefore.length > 0) lines.push(`failing before: ${report.failingBefore.join(", ")}`);
  if (report.flaky.length > 0) lines.push(`flaky (not repaired): ${report.flaky.join(", ")}`);
  if (report.shard) {
    const { shard, groups, owned } = report.shard;
    const tests = groups.filter((g) => owned.includes(g.id)).flatMap((g) => g.tests).length;
    lines.push(
      `shard ${shard.index}/${shard.total}: repairs ${owned.length} of ${plural(groups.length, "repair group")} (${plural(tests, "failing test")}); the other shards repair the rest`,
    );
  }
  report.patches.forEach((patch, index) => {
    // A merged report's repairs are applied together (one set per shard), so none of them is "the best".
    const title = index === 0 && !isMerged(report) ? "best repair" : `repair ${index + 1}`;
    lines.push("", `${title}: ${patch.description} (${verified(patch)})`);
    lines.push(patch.diff.trimEnd());
  });
  if (report.partials.length > 0) {
    lines.push("", "partial patches (not repairs: applied only with --apply-partial):");
    report.partials.forEach((patch, index) => {
      lines.push("", `partial ${index + 1}: ${patch.description} (${verified(patch)})`);
      lines.push(patch.diff.trimEnd());
    });
  }
  if (report.unfixed.length > 0) lines.push("", `still failing: ${report.unfixed.join(", ")}`);
  if (isMerged(report)) lines.push(...mergeLines(report));
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push("", `${plural(report.validations, "validation")} in ${report.seconds.toFixed(1)} s`);
  return lines.join("\n") + "\n";
}

/** What a merged report adds for people: coverage of the shards and groups, and the conflicts left out. */
function mergeLines(report: MergedReport): string[] {
  const { merge } = report;
  const lines = ["", `shards merged: ${merge.shards.map((s) => `${s.index}/${s.total} (${s.report})`).join(", ")}`];
  if (merge.missingShards.length > 0) lines.push(`missing shards: ${merge.missingShards.join(", ")}`);
  if (merge.missingGroups.length > 0) lines.push(`repair groups not covered: ${merge.missingGroups.join(", ")}`);
  for (const d of merge.disagreements) lines.push(`disagreement: ${d}`);
  for (const c of merge.conflicts) {
    lines.push(`conflict (not merged): ${c.file}:${c.lines}, ${c.reason}: ${c.patches[0]} | ${c.patches[1]}`);
  }
  return lines;
}

/**
 * The patches to apply together: the best repair, then each further repair that fixes other tests and touches
 * none of the same files (patches of one job may be alternatives for the same bug). With `partial`, and only when
 * there is no repair, the best partial patch. A merged report's patches were chosen by the merge (one set per shard,
 * conflicts left out): all of them apply, and never a partial one.
 */
export function patchesToApply(report: JobReport, options: { partial?: boolean } = {}): JobReportPatch[] {
  if (isMerged(report)) return [...report.patches];
  const pool = report.patches.length > 0 ? report.patches : options.partial ? report.partials.slice(0, 1) : [];
  const chosen: JobReportPatch[] = [];
  const files = new Set<string>();
  const fixed = new Set<string>();
  for (const patch of pool) {
    if (patch.files.some((f) => files.has(f))) continue;
    if (chosen.length > 0 && patch.fixedTests.every((t) => fixed.has(t))) continue;
    chosen.push(patch);
    for (const f of patch.files) files.add(f);
    for (const t of patch.fixedTests) fixed.add(t);
  }
  return chosen;
}

/** A unified diff of the patches that would be applied, for `git apply`. */
export function formatDiff(report: JobReport, options: { partial?: boolean } = {}): string {
  return patchesToApply(report, options)
    .map((p) => p.diff)
    .join("");
}

export function formatJson(report: JobReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

const RULES = {
  repair: "repair-ls/validated-repair",
  partial: "repair-ls/partial-repair",
  unfixed: "repair-ls/unfixed-failure",
} as const;

function location(file: string, startLine: number, endLine = startLine + 1): Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: file, uriBaseId: "SRCROOT" },
      region: { startLine: startLine + 1, endLine: Math.max(startLine + 1, endLine) },
    },
  };
}

function patchResult(patch: JobReportPatch): Result {
  const first = patch.edits[0];
  const result: Result = {
    ruleId: patch.verdict === "repair" ? RULES.repair : RULES.partial,
    level: patch.verdict === "repair" ? "error" : "warning",
    message: {
      text: `Failing tests ${patch.fixedTests.join(", ") || "(unnamed)"} pass after: ${patch.description} (${verified(patch)}).`,
    },
    locations: first ? [location(first.file, first.startLine, first.endLine)] : [],
  };
  // Only a repair is offered as a fix: a partial patch leaves tests failing.
  if (patch.verdict !== "repair") return result;
  result.fixes = [
    {
      description: { text: patch.description },
      artifactChanges: patch.files.map((file) => ({
        artifactLocation: { uri: file, uriBaseId: "SRCROOT" },
        replacements: patch.edits
          .filter((e) => e.file === file)
          .map((e) => ({
            // Whole lines: from column 1 of the first line to column 1 of the line after the last one.
            deletedRegion: { startLine: e.startLine + 1, startColumn: 1, endLine: e.endLine + 1, endColumn: 1 },
            // newText already ends with the file's own line ending (see lineRangeEdit in server/core/line-text.ts).
            insertedContent: { text: e.newText },
          })),
      })),
    },
  ];
  return result;
}

/**
 * SARIF 2.1.0 as code-scanning services accept it: every result has a physical location (the repaired lines, or
 * where a failing test failed), fixes only for repairs, and the workspace root as a file URL.
 */
export function formatSarif(report: JobReport, version: string): string {
  // Some place for failures that left no trace: a test file, else the workspace itself.
  const fallback = report.failureSites[0] ?? { file: report.testFiles[0] ?? ".", line: 0 };
  const unfixed = report.unfixed.map((test): Result => {
    const site = report.failureSites.find((s) => s.test === test) ?? fallback;
    return {
      ruleId: RULES.unfixed,
      level: "warning",
      message: { text: `No validated repair found for failing test ${test}.` },
      locations: [location(site.file, site.line)],
    };
  });
  const sarif: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "repair-ls",
            version,
            rules: [
              { id: RULES.repair, shortDescription: { text: "A failing test has a validated repair" } },
              {
                id: RULES.partial,
                shortDescription: { text: "A patch fixes some failing tests without breaking others" },
              },
              { id: RULES.unfixed, shortDescription: { text: "A failing test has no validated repair" } },
            ],
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(report.folder.replace(/\/?$/, "/")).href } },
        results: [...report.patches.map(patchResult), ...report.partials.map(patchResult), ...unfixed],
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}
