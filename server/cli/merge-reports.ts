import { writeFileSync } from "node:fs";
import type { JobReport, JobReportEdit, JobReportPatch } from "../lsp/job-report.js";
import type { RepairGroup } from "../pipeline/shard.js";
import { formatDiff, formatJson, formatSarif, formatText, patchesToApply } from "./formats.js";
import type { OutputFormat } from "./fix-all-args.js";
import type { MergeConflict, MergedReport } from "./merged-report.js";
import { noun, plural } from "../pipeline/task/messages.js";
import { readArgs } from "./options.js";
import { readReportFile } from "./report-file.js";
import { packageVersion } from "./version.js";
import { errorMessage } from "../core/error-message.js";

export const MERGE_USAGE = `Usage: repair-ls merge-reports REPORT.json... [--format text|diff|json|sarif] [--output FILE]
Joins the JSON reports of \`fix-all --shard i/n\` runs into one report: every shard's repairs, except repairs of two
shards that edit overlapping lines differently (reported as conflicts, not merged), and the repair groups whose
shard's report is missing. Apply the merged JSON report with \`repair-ls apply\`.
Exit codes:
  0  every shard and group is covered, nothing conflicts, and the merged repairs fix every failing test
  1  something is missing or conflicts, or failing tests remain unrepaired
  2  usage error or a report that cannot be read or does not belong with the others`;

/** One shard's report with the file it was read from. */
export interface ShardReport {
  readonly name: string;
  readonly report: JobReport;
}

function label(shard: ShardReport): string {
  const plan = shard.report.shard;
  return plan ? `shard ${plan.shard.index}/${plan.shard.total}` : shard.name;
}

/** Whether two whole-line edits touch a common line; an insertion occupies the line it goes before. */
function overlap(a: JobReportEdit, b: JobReportEdit): boolean {
  return (
    a.file === b.file &&
    a.startLine < Math.max(b.endLine, b.startLine + 1) &&
    b.startLine < Math.max(a.endLine, a.startLine + 1)
  );
}

function sameEdit(a: JobReportEdit, b: JobReportEdit): boolean {
  return a.file === b.file && a.startLine === b.startLine && a.endLine === b.endLine && a.newText === b.newText;
}

/** Why two patches of different shards cannot both be applied, if they cannot. Identical edits do not conflict. */
function conflictBetween(
  a: JobReportPatch,
  b: JobReportPatch,
): Pick<MergeConflict, "file" | "lines" | "reason"> | undefined {
  for (const file of a.files.filter((f) => b.files.includes(f))) {
    if (a.baseHashes[file] !== b.baseHashes[file]) return { file, lines: "all", reason: "different base versions" };
    for (const x of a.edits.filter((e) => e.file === file)) {
      for (const y of b.edits.filter((e) => e.file === file)) {
        if (overlap(x, y) && !sameEdit(x, y)) {
          const start = Math.max(x.startLine, y.startLine) + 1;
          const end = Math.max(
            start,
            Math.min(Math.max(x.endLine, x.startLine + 1), Math.max(y.endLine, y.startLine + 1)),
          );
          return { file, lines: start === end ? String(start) : `${start}-${end}`, reason: "overlapping edits" };
        }
      }
    }
  }
  return undefined;
}

/** Whether two patches make the same edits to the same versions of the same files: one repair, found twice. */
function samePatch(a: JobReportPatch, b: JobReportPatch): boolean {
  return (
    a.edits.length === b.edits.length &&
    a.files.every((f) => b.baseHashes[f] === a.baseHashes[f]) &&
    a.edits.every((x) => b.edits.some((y) => sameEdit(x, y)))
  );
}

function union(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

/**
 * Joins shards' reports. Throws with a reason when the reports do not belong together (not sharded, different shard
 * counts or workspaces, a shard given twice); everything else (missing shards, groups, conflicts) is reported.
 */
export function mergeReports(shards: readonly ShardReport[]): MergedReport {
  if (shards.length === 0) throw new Error("no reports to merge");
  for (const s of shards) {
    if (!s.report.shard) throw new Error(`${s.name} is not the report of a sharded run (fix-all --shard i/n)`);
  }
  const plans = shards.map((s) => s.report.shard!);
  const total = plans[0]!.shard.total;
  const seen = new Map<number, string>();
  for (const [i, s] of shards.entries()) {
    const plan = plans[i]!;
    if (plan.shard.total !== total) {
      throw new Error(`${s.name} is shard ${plan.shard.index}/${plan.shard.total}, the first report one of ${total}`);
    }
    const twice = seen.get(plan.shard.index);
    if (twice) throw new Error(`${s.name} and ${twice} are both shard ${plan.shard.index}/${total}`);
    seen.set(plan.shard.index, s.name);
  }
  const first = shards[0]!.report;
  const missingShards = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));

  // Every runner should have computed the same groups; when they differ, say so, and cover the union.
  const groups = new Map<string, RepairGroup>();
  const disagreements: string[] = [];
  const idsOf = (p: (typeof plans)[number]): string => p.groups.map((g) => g.id).join(",");
  for (const [i, plan] of plans.entries()) {
    if (idsOf(plan) !== idsOf(plans[0]!)) {
      disagreements.push(`${label(shards[i]!)} grouped the failing tests differently from ${label(shards[0]!)}`);
    }
    for (const g of plan.groups) if (!groups.has(g.id)) groups.set(g.id, g);
  }
  const owned = new Set(plans.flatMap((p) => p.owned));
  const missingGroups = [...groups.values()].filter((g) => !owned.has(g.id));

  // Each shard's chosen repairs; a repair conflicting with another shard's is left out on both sides.
  const candidates = shards.flatMap((s) => patchesToApply(s.report).map((patch) => ({ shard: s, patch })));
  const conflicts: MergeConflict[] = [];
  const excluded = new Set<number>();
  const duplicate = new Set<number>();
  candidates.forEach((a, i) => {
    candidates.forEach((b, j) => {
      if (j <= i || a.shard === b.shard || duplicate.has(j)) return;
      if (samePatch(a.patch, b.patch)) {
        duplicate.add(j);
        return;
      }
      const conflict = conflictBetween(a.patch, b.patch);
      if (!conflict) return;
      excluded.add(i).add(j);
      conflicts.push({
        ...conflict,
        patches: [`${label(a.shard)}: ${a.patch.description}`, `${label(b.shard)}: ${b.patch.description}`],
      });
    });
  });
  const patches = candidates
    .filter((_, i) => !excluded.has(i) && !duplicate.has(i))
    .map(({ shard, patch }) => ({ ...patch, id: `${shard.report.shard!.shard.index}:${patch.id}` }));

  const failingBefore = union(shards.map((s) => s.report.failingBefore));
  const fixed = new Set(patches.flatMap((p) => p.fixedTests));
  const unfixed = failingBefore.filter((t) => !fixed.has(t));
  const complete =
    missingShards.length === 0 && missingGroups.length === 0 && disagreements.length === 0 && conflicts.length === 0;
  const status = unfixed.length === 0 && complete ? "fixed" : patches.length > 0 ? "incomplete" : "unfixed";
  const outcomes: Record<string, number> = {};
  for (const s of shards) {
    for (const [kind, n] of Object.entries(s.report.outcomes ?? {})) outcomes[kind] = (outcomes[kind] ?? 0) + n;
  }
  const sites = new Map(shards.flatMap((s) => s.report.failureSites.map((site) => [site.test, site] as const)));
  const problems = [
    missingShards.length > 0 ? `missing ${noun(missingShards.length, "shard")} ${missingShards.join(", ")}` : "",
    conflicts.length > 0 ? plural(conflicts.length, "conflict") : "",
    disagreements.length > 0 ? "shards disagree on the groups" : "",
  ].filter(Boolean);
  return {
    jobId: "merged",
    folder: first.folder,
    status,
    message:
      `Merged ${shards.length} of ${total} shards: ${patches.length} repair${patches.length === 1 ? " fixes" : "s fix"} ` +
      `${fixed.size} of ${failingBefore.length} failing tests` +
      (problems.length > 0 ? ` (${problems.join("; ")})` : "") +
      ".",
    testCommand: first.testCommand,
    testRunner: first.testRunner,
    testsAtBaseline: first.testsAtBaseline,
    failingBefore,
    flaky: union(shards.map((s) => s.report.flaky)),
    patches,
    partials: shards.flatMap((s) => s.report.partials.map((p) => ({ ...p, id: `${label(s)}:${p.id}` }))),
    unfixed,
    testFiles: union(shards.map((s) => s.report.testFiles)),
    notes: shards.flatMap((s) => s.report.notes.map((n) => `${label(s)}: ${n}`)),
    validations: shards.reduce((sum, s) => sum + s.report.validations, 0),
    // Shards run side by side: the merged run took as long as its slowest shard.
    seconds: Math.max(...shards.map((s) => s.report.seconds)),
    secondsToFirstPlausible: undefined,
    outcomes,
    failureSites: failingBefore.flatMap((t) => {
      const site = sites.get(t);
      return site ? [site] : [];
    }),
    merge: {
      shards: shards.map((s, i) => ({ ...plans[i]!.shard, report: s.name })),
      total,
      missingShards,
      missingGroups: missingGroups.map((g) => g.id),
      disagreements,
      conflicts,
    },
  };
}

/** Parses merge-reports' arguments; pure. */
export function parseMergeArgs(
  argv: readonly string[],
): { files: string[]; format: OutputFormat; output: string | undefined } | { error: string } | { help: true } {
  const written = readArgs(argv, {
    help: { type: "boolean", short: "h" },
    format: { type: "string" },
    output: { type: "string" },
  });
  if ("error" in written) return written;
  let format: OutputFormat = "text";
  let output: string | undefined;
  for (const { name, value } of written.options) {
    if (name === "help") return { help: true };
    if (name === "format") {
      if (value !== "text" && value !== "diff" && value !== "json" && value !== "sarif") {
        return { error: "--format must be one of text, diff, json, sarif" };
      }
      format = value;
    } else if (name === "output") {
      output = value;
      if (!output) return { error: "--output needs a file" };
    }
  }
  const files = [...written.positionals];
  if (files.length === 0) return { error: "give the shards' JSON reports to merge" };
  return { files, format, output };
}

/** `repair-ls merge-reports`: see MERGE_USAGE for the exit codes. */
export function runMergeReports(argv: readonly string[]): number {
  const parsed = parseMergeArgs(argv);
  if ("help" in parsed) {
    process.stdout.write(`${MERGE_USAGE}\n`);
    return 0;
  }
  if ("error" in parsed) {
    process.stderr.write(`repair-ls merge-reports: ${parsed.error}\n${MERGE_USAGE}\n`);
    return 2;
  }
  const shards: ShardReport[] = [];
  for (const file of parsed.files) {
    const report = readReportFile(file);
    if (typeof report === "string") {
      process.stderr.write(`repair-ls merge-reports: ${report}\n`);
      return 2;
    }
    shards.push({ name: file, report });
  }
  let merged: MergedReport;
  try {
    merged = mergeReports(shards);
  } catch (error) {
    process.stderr.write(`repair-ls merge-reports: ${errorMessage(error)}\n`);
    return 2;
  }
  const rendered = {
    text: () => formatText(merged),
    diff: () => formatDiff(merged),
    json: () => formatJson(merged),
    sarif: () => formatSarif(merged, packageVersion()),
  }[parsed.format]();
  if (parsed.output) writeFileSync(parsed.output, rendered);
  else process.stdout.write(rendered);
  return merged.status === "fixed" ? 0 : 1;
}
