import { replaceLineRanges } from "../core/line-text.js";
import { fixAllFailing, repairHunks, type RepairEnvironment } from "../pipeline/repair.js";
import { sha256 } from "../pipeline/workspace-files.js";
import type { RepairPatch, RepairReport } from "../pipeline/report.js";
import type { Config } from "../core/config-schema.js";
import type { ShardSpec } from "../pipeline/shard.js";
import type { Hunk, Logger, ProgressSink, Retriever } from "../core/types.js";
import type { JobReport, JobReportPatch } from "./job-report.js";
import type { CachedRepair } from "./repair-cache.js";
import type { FolderState } from "./workspace-folders.js";

export interface RepairJobInput {
  readonly jobId: string;
  readonly folder: FolderState;
  readonly config: Config;
  /** The editor's hunk for "Repair here"; undefined repairs every failing test. */
  readonly hunk: Hunk | undefined;
  readonly signal: AbortSignal;
  readonly progress: ProgressSink;
  readonly logger: Logger;
  readonly retriever: Retriever | undefined;
  readonly overlays: ReadonlyMap<string, string>;
  /** `fix-all --shard`: this run repairs its own repair groups only. */
  readonly shard?: ShardSpec;
}

/** One patch as plain JSON: workspace-relative paths. */
function toJobReportPatch(patch: RepairPatch, outcomes: RepairReport["outcomes"]): JobReportPatch {
  return {
    id: patch.id,
    description: patch.description,
    files: patch.files.map((f) => f.relativePath),
    diff: patch.diff,
    edits: patch.files.flatMap((f) =>
      f.edits.map((e) => ({
        file: f.relativePath,
        startLine: e.startLine,
        endLine: e.endLine,
        oldText: e.oldText,
        newText: e.newText,
      })),
    ),
    baseHashes: Object.fromEntries(patch.files.map((f) => [f.relativePath, f.baseHash])),
    validatedTests: patch.validatedTests,
    verdict: patch.verdict,
    fixedTests: patch.fixedTests,
    stillFailing: patch.stillFailing,
    // Each validation of a candidate leaves one outcome record, described like the patch it tried.
    validations: Math.max(1, outcomes.filter((o) => o.description.startsWith(patch.description)).length),
    generators: patch.generators,
  };
}

/** Plain JSON for headless clients: workspace-relative paths, counts instead of lists where the lists are long. */
export function toJobReport(jobId: string, folder: string, report: RepairReport): JobReport {
  const outcomes: Record<string, number> = {};
  for (const record of report.outcomes) outcomes[record.outcome.kind] = (outcomes[record.outcome.kind] ?? 0) + 1;
  return {
    jobId,
    folder,
    status: report.status,
    message: report.message,
    testCommand: report.testCommand?.command,
    testRunner: report.testCommand,
    testsAtBaseline: report.testsAtBaseline,
    failingBefore: report.failingBefore,
    flaky: report.flaky,
    patches: report.patches.map((p) => toJobReportPatch(p, report.outcomes)),
    partials: report.partials.map((p) => toJobReportPatch(p, report.outcomes)),
    unfixed: report.unfixed,
    testFiles: report.testFiles,
    notes: report.notes,
    validations: report.validations,
    seconds: report.seconds,
    secondsToFirstPlausible: report.secondsToFirstPlausible,
    outcomes,
    failureSites: report.failureSites,
    ...(report.shard ? { shard: report.shard } : {}),
    ...(report.groups ? { groups: report.groups } : {}),
  };
}

/** The repairs the code-action cache keeps; ids are made unique across jobs. */
export function toCachedRepairs(jobId: string, folder: string, report: RepairReport): CachedRepair[] {
  return [...report.patches, ...report.partials].map((patch, rank) => ({
    id: `${jobId}:${patch.id}`,
    folder,
    description: patch.description,
    files: patch.files.map((f) => ({
      path: f.file,
      baseHash: f.baseHash,
      appliedHash: sha256(replaceLineRanges(f.baseText, f.edits)),
      edits: f.edits.map((e) => ({
        startLine: e.startLine,
        endLine: e.endLine,
        newText: e.newText,
        oldText: e.oldText,
      })),
    })),
    passed: patch.validatedTests.passed,
    total: patch.validatedTests.total,
    verdict: patch.verdict,
    fixedTests: patch.fixedTests,
    stillFailing: patch.stillFailing,
    rank,
  }));
}

/** Runs the LSP-agnostic pipeline for one job and translates its report for the protocol side. */
export async function runRepairEngine(input: RepairJobInput): Promise<{ report: JobReport; repairs: CachedRepair[] }> {
  const env: RepairEnvironment = {
    root: input.folder.path,
    config: input.config,
    logger: input.logger,
    progress: input.progress,
    signal: input.signal,
    retriever: input.retriever,
    overlays: input.overlays,
    ...(input.shard ? { shard: input.shard } : {}),
  };
  const report = input.hunk ? await repairHunks(env, [input.hunk]) : await fixAllFailing(env);
  const jobReport = toJobReport(input.jobId, input.folder.path, report);
  // Patch ids in the JSON report must match the cache's, so that a client can ask for one by id.
  const repairs = toCachedRepairs(input.jobId, input.folder.path, report);
  return {
    report: {
      ...jobReport,
      patches: jobReport.patches.map((p, i) => ({ ...p, id: repairs[i]?.id ?? p.id })),
      partials: jobReport.partials.map((p, i) => ({ ...p, id: repairs[jobReport.patches.length + i]?.id ?? p.id })),
    },
    repairs,
  };
}
