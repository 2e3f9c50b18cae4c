import type { Patch } from "./combine/patch.js";
import { splitLinesKeepEnds, eolOf, replacementText } from "./combine/patch.js";
import { unifiedDiff } from "./diff.js";
import { rankPatches } from "./rank.js";
import type { CandidateOutcome, FilePatch, LineEdit, OutcomeRecord, RepairPatch } from "./report.js";
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
      newText: replacementText(candidate.text, original, eolOf(base)),
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

/**
 * Report patches from validation records that made every failing test pass (plausible, or with regressions),
 * ranked by rank.ts; plus, when `partial` is given, that partial patch last.
 */
export function buildPatches(input: PatchBuildInput, partial?: ValidationRecord): RepairPatch[] {
  const passing = input.records.filter((r) => r.full !== undefined && r.stillFailing.length === 0);
  const ranked = rankPatches(passing.map((r) => ({ ...r, regressions: r.full?.regressions.length ?? 0, record: r })));
  const chosen = ranked.map((r) => ({ record: r.item.record, generators: r.generators }));
  if (partial && chosen.length === 0) chosen.push({ record: partial, generators: [...partial.generators].sort() });
  return chosen.map(({ record, generators }, i) => {
    const files = filePatches(record.patch, input.bases, input.files);
    return {
      id: `p${i + 1}`,
      description: describePatch(record.patch),
      files,
      diff: files.map((f) => unifiedDiff(f.relativePath, f.baseText, f.edits)).join(""),
      fixedTests: input.oracle.filter((t) => !record.stillFailing.includes(t)),
      validatedTests: { passed: record.full?.passed ?? 0, total: record.full?.total ?? 0 },
      regressions: record.full?.regressions ?? [],
      generators,
      score: record.patch.reduce((s, p) => s + p.candidate.score, 0),
      plausible: record.outcome.kind === "plausible",
      phase: record.phase,
    };
  });
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
