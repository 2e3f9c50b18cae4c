/**
 * `node dist/test/bench/prior-ranks.bench.js`: where the developer's fix ranks in the built-in engine's candidate
 * list for the bug's own hunk, under each table of edit-kind priors in edits.ts, for the dev and heldout sets of
 * test/fixtures/splits.json separately. A fast proxy for "validations before the fix" that runs no tests: it
 * compares prior tables (a rule is justified on dev; heldout shows whether it generalises) and fits nothing.
 *
 * Each hunk of a bug whose file has one hunk is generated alone (no donors, uncapped, through the syntax filter);
 * the fix is the fixed file's text between the common prefix and suffix. A rank beyond repair.candidatesPerHunk
 * (60) counts as missed. Prints figures, asserts nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { languageForPath, type LanguageId } from "../../grammars/languages.js";
import { withParse } from "../../grammars/parser.js";
import { enclosingFunction } from "../../grammars/syntax.js";
import { defaultConfig } from "../../server/core/config-schema.js";
import type { Candidate, HunkContext } from "../../server/core/types.js";
import { filterCandidates } from "../../server/pipeline/generate/candidate-filter.js";
import { codeKey } from "../../server/pipeline/generate/code-key.js";
import { splitFile } from "../../server/core/line-text.js";
import { createSyntaxChecker } from "../../server/pipeline/generate/syntax-check.js";
import {
  CONDITIONED_KIND_PRIOR,
  EDIT_KIND_PRIOR,
  HAND_SET_KIND_PRIOR,
  PUBLISHED_KIND_PRIOR,
  type TemplateEditKind,
} from "../../server/pipeline/generate/template/edits.js";
import { templateCandidates } from "../../server/pipeline/generate/template/template-generator.js";
import { bugsDir, listBugs, type BugHunk } from "../support/fixture-bugs.js";
import { readSplits, setOf, type FixtureSet } from "../support/fixture-splits.js";

const TABLES: Readonly<Record<string, Readonly<Record<TemplateEditKind, number>>>> = {
  "hand-set": HAND_SET_KIND_PRIOR,
  published: PUBLISHED_KIND_PRIOR,
  conditioned: CONDITIONED_KIND_PRIOR,
};
const CAP = defaultConfig()["repair.candidatesPerHunk"];

/** The fixed text of a hunk: the fixed file between the lines the buggy file shares before and after the hunk. */
function fixedHunkText(buggy: readonly string[], fixed: readonly string[], hunk: BugHunk): string {
  const suffix = buggy.length - hunk.endLine;
  return fixed.slice(hunk.startLine, fixed.length - suffix).join("\n");
}

/** Candidates re-scored under another prior table: the engine's score is prior x weight x size. */
function rescored(candidates: readonly Candidate[], table: Readonly<Record<TemplateEditKind, number>>): Candidate[] {
  return candidates
    .map((c, index) => {
      const kind = c.editKind as TemplateEditKind;
      const ratio = kind in table ? table[kind] / EDIT_KIND_PRIOR[kind] : 1;
      return { c: { ...c, score: c.score * ratio }, index };
    })
    .sort((a, b) => b.c.score - a.c.score || a.index - b.index)
    .map(({ c }) => c);
}

async function candidatesFor(path: string, language: LanguageId, hunk: BugHunk): Promise<Candidate[]> {
  const text = readFileSync(path, "utf8");
  const file = splitFile(text);
  const full = { file: path, startLine: hunk.startLine, endLine: hunk.endLine };
  return withParse(text, language, async (parsed) => {
    const fn = await enclosingFunction(parsed, {
      startLine: hunk.startLine,
      endLine: Math.max(hunk.endLine, hunk.startLine + 1),
    });
    const context: HunkContext = {
      hunk: full,
      language,
      fileText: text,
      buggyText: file.lines.slice(hunk.startLine, hunk.endLine).join("\n"),
      enclosingFunction: fn && { name: fn.name, startLine: fn.startLine, endLine: fn.endLine, text: fn.text },
      retrieved: [],
    };
    const candidates = await templateCandidates({ context, parsed, file, donors: [] });
    const checker = createSyntaxChecker(parsed, file, full);
    return filterCandidates(candidates, { context, checker, cap: Infinity });
  });
}

interface Result {
  readonly set: FixtureSet;
  /** 1-based rank of the fix per table; undefined when the engine cannot produce it at all. */
  readonly ranks: Readonly<Record<string, number | undefined>>;
}

function summary(results: readonly Result[], table: string): string {
  const ranks = results.map((r) => r.ranks[table]).filter((r): r is number => r !== undefined);
  const within = ranks.filter((r) => r <= CAP).sort((a, b) => a - b);
  const mrr = ranks.reduce((s, r) => s + (r <= CAP ? 1 / r : 0), 0) / Math.max(1, results.length);
  const median = within.length > 0 ? within[Math.floor((within.length - 1) / 2)]! : NaN;
  const top5 = ranks.filter((r) => r <= 5).length;
  return `${table.padEnd(12)} within ${CAP}: ${within.length}/${results.length}  top 5: ${top5}  median rank: ${median}  MRR: ${mrr.toFixed(3)}  mean rank (found): ${(within.reduce((s, r) => s + r, 0) / Math.max(1, within.length)).toFixed(1)}`;
}

async function main(): Promise<void> {
  const splits = readSplits();
  const results: Result[] = [];
  for (const bug of listBugs()) {
    const set = setOf(splits, bug.id);
    const perFile = new Map<string, number>();
    for (const h of bug.hunks) perFile.set(h.file, (perFile.get(h.file) ?? 0) + 1);
    for (const hunk of bug.hunks) {
      if (perFile.get(hunk.file) !== 1) continue;
      const path = join(bugsDir(), bug.id, "project", hunk.file);
      const language = languageForPath(path)?.id;
      if (!language) continue;
      const buggy = readFileSync(path, "utf8").split("\n");
      const fixed = readFileSync(join(bugsDir(), bug.id, "fixed", hunk.file), "utf8").split("\n");
      const want = codeKey(fixedHunkText(buggy, fixed, hunk), language);
      const candidates = await candidatesFor(path, language, hunk);
      const ranks: Record<string, number | undefined> = {};
      const cells: string[] = [];
      for (const [name, table] of Object.entries(TABLES)) {
        const at = rescored(candidates, table).findIndex((c) => codeKey(c.text, language) === want);
        ranks[name] = at < 0 ? undefined : at + 1;
        cells.push(`${name}=${at < 0 ? "-" : at + 1}`);
      }
      const kind = candidates.find((c) => codeKey(c.text, language) === want)?.editKind ?? "-";
      process.stdout.write(`${bug.id.padEnd(24)} ${set.padEnd(8)} ${kind.padEnd(11)} ${cells.join("  ")}\n`);
      results.push({ set, ranks });
    }
  }
  for (const set of ["dev", "heldout"] as const) {
    const inSet = results.filter((r) => r.set === set);
    process.stdout.write(`\n${set}: ${inSet.length} hunks\n`);
    for (const table of Object.keys(TABLES)) process.stdout.write(summary(inSet, table) + "\n");
  }
}

await main();
