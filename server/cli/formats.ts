import type { JobReport, JobReportPatch } from "../lsp/job-report.js";

/** Human-readable summary for a terminal or a CI log. */
export function formatText(report: JobReport): string {
  const lines: string[] = [];
  lines.push(`repair-ls: ${report.message}`);
  if (report.testCommand) lines.push(`test command: ${report.testCommand}`);
  if (report.failingBefore.length > 0) lines.push(`failing before: ${report.failingBefore.join(", ")}`);
  report.patches.forEach((patch, index) => {
    lines.push("");
    lines.push(
      `${index === 0 ? "best repair" : `repair ${index + 1}`}: ${patch.description} ` +
        `(${patch.validatedTests.passed}/${patch.validatedTests.total} tests pass, ${patch.regressions} regressions)`,
    );
    lines.push(patch.diff.trimEnd());
  });
  if (report.unfixed.length > 0) lines.push("", `still failing: ${report.unfixed.join(", ")}`);
  lines.push("", `${report.validations} validations in ${report.seconds.toFixed(1)} s`);
  return lines.join("\n") + "\n";
}

/**
 * The patches to apply together: the best one, then each further one that fixes other tests and touches none of
 * the same files (patches of one job may be alternatives for the same bug).
 */
export function patchesToApply(report: JobReport): JobReportPatch[] {
  const chosen: JobReportPatch[] = [];
  const files = new Set<string>();
  const fixed = new Set<string>();
  for (const patch of report.patches) {
    if (patch.files.some((f) => files.has(f))) continue;
    if (chosen.length > 0 && patch.fixedTests.every((t) => fixed.has(t))) continue;
    chosen.push(patch);
    for (const f of patch.files) files.add(f);
    for (const t of patch.fixedTests) fixed.add(t);
  }
  return chosen;
}

/** A unified diff of the patches that would be applied, for `git apply`. */
export function formatDiff(report: JobReport): string {
  return patchesToApply(report)
    .map((p) => p.diff)
    .join("");
}

export function formatJson(report: JobReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

/** SARIF 2.1.0: each still-failing test and each repair is a result; each repair carries its edits as a `fix`. */
export function formatSarif(report: JobReport, version: string): string {
  const results = report.patches.map((patch) => {
    const first = patch.edits[0];
    return {
      ruleId: "repair-ls/validated-repair",
      level: "error",
      message: {
        text: `Failing tests ${patch.fixedTests.join(", ") || "(unnamed)"} pass after: ${patch.description} (${patch.validatedTests.passed}/${patch.validatedTests.total} tests pass).`,
      },
      locations: first
        ? [
            {
              physicalLocation: {
                artifactLocation: { uri: first.file, uriBaseId: "SRCROOT" },
                region: { startLine: first.startLine + 1, endLine: Math.max(first.startLine + 1, first.endLine) },
              },
            },
          ]
        : [],
      fixes: [
        {
          description: { text: patch.description },
          artifactChanges: patch.files.map((file) => ({
            artifactLocation: { uri: file, uriBaseId: "SRCROOT" },
            replacements: patch.edits
              .filter((e) => e.file === file)
              .map((e) => ({
                // Whole lines: from column 1 of the first line to column 1 of the line after the last one.
                deletedRegion: { startLine: e.startLine + 1, startColumn: 1, endLine: e.endLine + 1, endColumn: 1 },
                // newText already ends with the file's own line ending (see replacementText).
                insertedContent: { text: e.newText },
              })),
          })),
        },
      ],
    };
  });
  const unfixed = report.unfixed.map((test) => ({
    ruleId: "repair-ls/unfixed-failure",
    level: "warning",
    message: { text: `No validated repair found for failing test ${test}.` },
  }));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "repair-ls",
            version,
            rules: [
              { id: "repair-ls/validated-repair", shortDescription: { text: "A failing test has a validated repair" } },
              { id: "repair-ls/unfixed-failure", shortDescription: { text: "A failing test has no validated repair" } },
            ],
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: "file://" + report.folder.replace(/\/?$/, "/") } },
        results: [...results, ...unfixed],
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}
