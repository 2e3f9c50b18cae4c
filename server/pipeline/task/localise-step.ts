/**
 * The localise step: the suspicious hunks of one group's failing tests (or the given hunks and the suspicious lines
 * inside them), never in test code, with a place for each failure for the report.
 */
import type { FailureEvidence, Hunk } from "../../core/types.js";
import type { Baseline } from "../baseline.js";
import { location } from "../build-report.js";
import { factsFor, hunksFromLines, localise, type RankedHunk, type SuspiciousLine } from "../localise/localise.js";
import type { SourceFiles } from "../localise/source-files.js";
import type { RepairReport } from "../report.js";
import type { WorkspaceFiles } from "../workspace-files.js";
import { FALLBACK_LOCALISATION_NOTE, progressTitles, syntaxErrorNote, testCodeNote } from "./messages.js";
import type { Baselined, GroupTask, TaskState, Workspace } from "./task-state.js";

/** Where a group's search starts: its hunks, most suspicious first, and the evidence they came from. */
export interface Localised {
  readonly hunks: readonly RankedHunk[];
  readonly evidence: FailureEvidence;
}

export async function localiseStep(
  task: TaskState,
  workspace: Workspace,
  baselined: Baselined,
  group: GroupTask,
  percentage: number,
): Promise<Localised> {
  const { env, given } = task;
  const { files, sources } = workspace;
  const { baseline } = baselined;
  const oracle = group.oracle;
  env.progress.report(progressTitles.localising(oracle.length), percentage);
  // Another group's failing tests are not this group's evidence: their coverage is left out, as shard.ts does
  // when it groups the tests.
  const names = new Set(oracle.map((t) => t.name));
  const coverage = baseline.coverage?.filter((entity) => !entity.failed || names.has(entity.name));
  const localisation = await localise({
    sources,
    files,
    failing: oracle,
    passing: baseline.passing,
    ...(coverage ? { coverage } : {}),
    // The whole output names every failing test's frames: a task repairing some of them must not read it.
    ...(oracle.length === baseline.oracle.length ? { output: baseline.run.output } : {}),
  });
  // A test localised again (by the fallback that repairs all groups as one) keeps its first place.
  const sited = new Set(task.failureSites.map((s) => s.test));
  const sites = failureSites(localisation.evidence, oracle, localisation.hunks, sources, files);
  task.failureSites.push(...sites.filter((s) => !sited.has(s.test)));
  let hunks: readonly RankedHunk[] = localisation.hunks;
  if (given) {
    const facts = await factsFor(
      files,
      new Set([...given.map((h) => h.file), ...localisation.lines.map((l) => l.file)]),
    );
    hunks = hunksWithin(given, localisation.lines, facts);
  }
  const inTests = hunks.filter((h) => sources.isTest(h.hunk.file));
  if (inTests.length > 0) {
    hunks = hunks.filter((h) => !sources.isTest(h.hunk.file));
    task.notes.push(testCodeNote([...new Set(inTests.map((h) => files.relative(h.hunk.file)))]));
  }
  const hunkNames = hunks.map(
    (h) => `${files.relative(h.hunk.file)}:${h.hunk.startLine + 1}-${Math.max(h.hunk.endLine, h.hunk.startLine + 1)}`,
  );
  task.localisation.push(...hunkNames);
  env.logger.info(`${localisation.spectrumSource} localisation; hunks: ${hunkNames.slice(0, 8).join(", ")}`);
  if (localisation.fallback) task.notes.push(FALLBACK_LOCALISATION_NOTE);
  // Code the parser does not fully understand (a compiler extension, implicit int) is still repaired outside the
  // parse error; candidates are only held to adding no new syntax errors.
  for (const broken of localisation.brokenFiles) {
    task.notes.push(syntaxErrorNote(location(files, broken.file, broken.line)));
  }
  return { hunks, evidence: localisation.evidence };
}

/** Given hunks first, then the suspicious lines inside them as single-line hunks. */
function hunksWithin(
  given: readonly Hunk[],
  lines: readonly SuspiciousLine[],
  facts: Parameters<typeof hunksFromLines>[1],
): RankedHunk[] {
  const inside = lines.filter((l) =>
    given.some((h) => h.file === l.file && h.startLine <= l.line && l.line < Math.max(h.endLine, h.startLine + 1)),
  );
  const out: RankedHunk[] = given.map((hunk, i) => ({ hunk, score: 1000 - i, origin: "given" as const }));
  for (const ranked of hunksFromLines(inside, facts)) {
    if (ranked.origin === "function") continue;
    const duplicate = out.some(
      (o) =>
        o.hunk.file === ranked.hunk.file &&
        o.hunk.startLine === ranked.hunk.startLine &&
        o.hunk.endLine === ranked.hunk.endLine,
    );
    if (!duplicate) out.push(ranked);
  }
  return out;
}

/**
 * A place for each failing test: the test's own frame (the failing assertion), else the innermost workspace frame,
 * else the file the runner named, else the most suspicious hunk.
 */
function failureSites(
  evidence: FailureEvidence,
  oracle: readonly Baseline["oracle"][number][],
  hunks: readonly RankedHunk[],
  sources: SourceFiles,
  files: WorkspaceFiles,
): RepairReport["failureSites"] {
  const top = hunks[0]?.hunk;
  return oracle.flatMap((test) => {
    const frames = evidence.failingTests.find((f) => f.name === test.name)?.frames ?? [];
    const frame = frames.find((f) => sources.isTest(f.file)) ?? frames[0];
    const runnerFile = test.file ? sources.resolve(test.file) : undefined;
    const site = frame
      ? { file: frame.file, line: frame.line }
      : runnerFile
        ? { file: runnerFile, line: 0 }
        : top
          ? { file: top.file, line: top.startLine }
          : undefined;
    return site ? [{ test: test.name, file: files.relative(site.file), line: Math.max(0, site.line) }] : [];
  });
}
