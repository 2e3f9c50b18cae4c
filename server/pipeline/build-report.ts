import type { Patch } from "./combine/patch.js";
import { lineRangeEdit, splitFile, splitLinesKeepEnds } from "../core/line-text.js";
import { unifiedDiff } from "./diff.js";
import { rankPatches } from "./rank.js";
import type { CandidateOutcome, FilePatch, LineEdit, OutcomeRecord, PatchVerdict, RepairPatch } from "./report.js";
import type { GeneratorId } from "../core/types.js";
import type { ValidationRecord } from "./validate/validator.js";
import { sha256, type WorkspaceFiles } from "./workspace-files.js";

/** "path:line" for people (1-based). */
export function location(files: WorkspaceFiles, file: string, line: number): string {
  return `${files.relative(file)}:${line + 1}`;
}

/** What a patch changes, for titles: its candidates' descriptions joined with "; ". */
export function describePatch(patch: Patch): string {
  return patch.map((p) => p.candidate.description || p.candidate.editKind).join("; ");
}

/** The description with where each change is, for outcome lists. */
export function describeWithLocations(patch: Patch, files: WorkspaceFiles): string {
  return patch
    .map(
      (p) => `${p.candidate.description || p.candidate.editKind} (${location(files, p.hunk.file, p.hunk.startLine)})`,
    )
    .join("; ");
}

function filePatches(patch: Patch, bases: ReadonlyMap<string, string>, files: WorkspaceFiles): FilePatch[] {
  const byFile = new Map<string, LineEdit[]>();
  for (const { hunk, candidate } of patch) {
    const base = bases.get(hunk.file) ?? "";
    const lines = splitLinesKeepEnds(base);
    const original = lines.slice(hunk.startLine, hunk.endLine);
    const edit: LineEdit = {
      startLine: hunk.startLine,
      endLine: hunk.endLine,
      oldText: original.join(""),
      newText: lineRangeEdit(splitFile(base), hunk.startLine, hunk.endLine, candidate.text).newText,
    };
    byFile.set(hunk.file, [...(byFile.get(hunk.file) ?? []), edit]);
  }
  return [...byFile]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([file, edits]) => {
      const baseText = bases.get(file) ?? "";
      return {
        file,
        relativePath: files.relative(file),
        edits: edits.sort((a, b) => a.startLine - b.startLine),
        baseHash: sha256(baseText),
        baseText,
      };
    });
}

export interface PatchBuildInput {
  readonly records: readonly ValidationRecord[];
  readonly oracle: readonly string[];
  readonly bases: ReadonlyMap<string, string>;
  readonly files: WorkspaceFiles;
}

/** Repairs and partial patches, each list as reports show them. */
export interface BuiltPatches {
  readonly repairs: RepairPatch[];
  readonly partials: RepairPatch[];
}

/**
 * The reportable patches among validation records, by the one definition (verdict.ts): repairs ranked by rank.ts,
 * then partial patches (most failing tests fixed first). Records with regressions, or that the full suite never
 * judged, are never reported: they stay in the outcome records only.
 */
export function buildPatches(input: PatchBuildInput): BuiltPatches {
  const judged = (verdict: PatchVerdict) => input.records.filter((r) => r.full !== undefined && r.verdict === verdict);
  const ranked = rankPatches(judged("repair").map((r) => ({ ...r, regressions: 0, record: r })));
  const partials = judged("partial").sort(
    (a, b) => a.stillFailing.length - b.stillFailing.length || a.patch.length - b.patch.length || a.order - b.order,
  );
  const toPatch = (record: ValidationRecord, generators: readonly GeneratorId[], id: string): RepairPatch => {
    const files = filePatches(record.patch, input.bases, input.files);
    return {
      id,
      description: describePatch(record.patch),
      files,
      diff: files.map((f) => unifiedDiff(f.relativePath, f.baseText, f.edits)).join(""),
      fixedTests: input.oracle.filter((t) => !record.stillFailing.includes(t)),
      validatedTests: { passed: record.full?.passed ?? 0, total: record.full?.total ?? 0 },
      generators,
      score: record.patch.reduce((s, p) => s + p.candidate.score, 0),
      verdict: record.verdict ?? "partial",
      stillFailing: record.stillFailing,
      phase: record.phase,
    };
  };
  return {
    repairs: ranked.map((r, i) => toPatch(r.item.record, r.generators, `p${i + 1}`)),
    partials: partials.map((r, i) => toPatch(r, [...r.generators].sort(), `partial${i + 1}`)),
  };
}

export function outcomeRecords(records: readonly ValidationRecord[], files: WorkspaceFiles): OutcomeRecord[] {
  return [...records]
    .sort((a, b) => a.order - b.order)
    .map((r) => ({
      description: describeWithLocations(r.patch, files),
      phase: r.phase,
      outcome: r.outcome satisfies CandidateOutcome,
      locations: r.patch.map((p) => location(files, p.hunk.file, p.hunk.startLine)),
      seconds: Math.round(r.seconds * 1000) / 1000,
    }));
}
