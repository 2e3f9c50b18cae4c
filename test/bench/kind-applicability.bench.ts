/**
 * `node dist/test/bench/kind-applicability.bench.js [files-per-language] [statements-per-file]`: how often each
 * template family applies to a statement of real code, and how many candidates it offers where it applies, the
 * two numbers that turn published fix shares into per-candidate priors (server/pipeline/generate/template/edits.ts).
 *
 * The corpus is real code that is neither a fixture nor a benchmark: the Python standard library of the running
 * interpreter (top-level modules) and the JavaScript sources of this repository's node_modules (as pinned by
 * package-lock.json). Files are taken at an even stride over the sorted list and statements at an even stride over
 * each file's executable lines, so a rerun on the same machine gives the same table. Each statement becomes a
 * one-statement hunk as localisation makes them (lineHunk), with the file's lines most similar to it (sub-token
 * Jaccard, outside the hunk) as donors, as the index's same-file retrieval would find them. Candidates go through
 * the engine's syntax filter without a cap, so that a family's count does not depend on the priors being
 * calibrated. Prints figures, asserts nothing.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { LanguageId } from "../../grammars/languages.js";
import { withParse } from "../../grammars/parser.js";
import { enclosingFunction } from "../../grammars/syntax.js";
import type { Candidate, HunkContext, RetrievedLine } from "../../server/core/types.js";
import { factsOf } from "../../server/pipeline/localise/file-facts.js";
import { filterCandidates } from "../../server/pipeline/generate/candidate-filter.js";
import { splitFile } from "../../server/core/line-text.js";
import { createSyntaxChecker } from "../../server/pipeline/generate/syntax-check.js";
import { identifiersOf, jaccard, subTokens } from "../../server/pipeline/generate/template/donors.js";
import { PUBLISHED_KIND_SHARE, type TemplateEditKind } from "../../server/pipeline/generate/template/edits.js";
import { templateCandidates } from "../../server/pipeline/generate/template/template-generator.js";
import { loadavg } from "node:os";

const FILES = Number(process.argv[2] ?? 60);
const STATEMENTS = Number(process.argv[3] ?? 8);
/** Donor lines per hunk and the least similarity kept (the index's retrieval keeps top 5 at cosine >= 0.5). */
const DONORS = 5;
const MIN_DONOR_SIMILARITY = 0.5;
/** Files larger than this are skipped: the stride should sample ordinary modules, not generated bundles. */
const MAX_FILE_BYTES = 200_000;

const KINDS = Object.keys(PUBLISHED_KIND_SHARE) as TemplateEditKind[];

function everyNth<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const stride = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * stride)]!);
}

function pythonFiles(): string[] {
  const stdlib = execFileSync("python3", ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], {
    encoding: "utf8",
  }).trim();
  return readdirSync(stdlib)
    .filter((name) => name.endsWith(".py") && !name.startsWith("test"))
    .sort()
    .map((name) => join(stdlib, name));
}

function javascriptFiles(): string[] {
  const root = join(process.cwd(), "node_modules");
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(".") || /^(test|tests|__tests__|dist|umd|min|browser)$/.test(name)) continue;
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory() && depth < 3) walk(path, depth + 1);
      else if (stat.isFile() && /\.(js|mjs|cjs)$/.test(name) && !/\.min\./.test(name)) out.push(path);
    }
  };
  walk(root, 0);
  return out;
}

/** The file's lines most like the hunk's, outside it: what same-file retrieval offers as donors. */
function sameFileDonors(lines: readonly string[], start: number, end: number, path: string): RetrievedLine[] {
  const query = identifiersOf(lines.slice(start, end).join(" ")).flatMap(subTokens);
  const scored: RetrievedLine[] = [];
  lines.forEach((text, line) => {
    if ((line >= start && line < end) || text.trim() === "") return;
    const score = jaccard(query, identifiersOf(text).flatMap(subTokens));
    if (score >= MIN_DONOR_SIMILARITY) scored.push({ file: path, line, text, score, scope: "same-file" });
  });
  return scored.sort((a, b) => b.score - a.score || a.line - b.line).slice(0, DONORS);
}

interface Tally {
  hunks: number;
  applies: Map<TemplateEditKind, number>;
  /** Sum over applicable hunks of the kind's effective candidate count. */
  effective: Map<TemplateEditKind, number>;
  raw: Map<TemplateEditKind, number>;
}

function newTally(): Tally {
  return { hunks: 0, applies: new Map(), effective: new Map(), raw: new Map() };
}

function add(map: Map<TemplateEditKind, number>, kind: TemplateEditKind, value: number): void {
  map.set(kind, (map.get(kind) ?? 0) + value);
}

/**
 * A kind's effective number of candidates in one hunk: the sum of their scores relative to the kind's best, so
 * that a strong first candidate counts more than a weak tail (the measure edits.ts has always used).
 */
function record(tally: Tally, candidates: readonly Candidate[]): void {
  tally.hunks++;
  for (const kind of KINDS) {
    const scores = candidates.filter((c) => c.editKind === kind).map((c) => c.score);
    if (scores.length === 0) continue;
    const best = Math.max(...scores);
    add(tally.applies, kind, 1);
    add(tally.raw, kind, scores.length);
    add(tally.effective, kind, best > 0 ? scores.reduce((s, x) => s + x / best, 0) : scores.length);
  }
}

async function sampleFile(path: string, language: LanguageId, tally: Tally): Promise<void> {
  let text: string;
  try {
    if (statSync(path).size > MAX_FILE_BYTES) return;
    text = readFileSync(path, "utf8");
  } catch {
    return;
  }
  const facts = await factsOf(path, text);
  if (!facts || facts.language !== language || facts.syntaxErrorLines.length > 0) return;
  const file = splitFile(text);
  const lines = [...facts.lineWeights.keys()].sort((a, b) => a - b);
  for (const startLine of everyNth(lines, STATEMENTS)) {
    const statementEnd = facts.statementEnds.get(startLine);
    const endLine = statementEnd !== undefined && statementEnd - startLine <= 3 ? statementEnd : startLine + 1;
    const hunk = { file: path, startLine, endLine };
    await withParse(text, language, async (parsed) => {
      const fn = await enclosingFunction(parsed, { startLine, endLine });
      const context: HunkContext = {
        hunk,
        language,
        fileText: text,
        buggyText: file.lines.slice(startLine, endLine).join("\n"),
        enclosingFunction: fn && { name: fn.name, startLine: fn.startLine, endLine: fn.endLine, text: fn.text },
        retrieved: [],
      };
      const donors = sameFileDonors(file.lines, startLine, endLine, path);
      const candidates = await templateCandidates({ context, parsed, file, donors });
      const checker = createSyntaxChecker(parsed, file, hunk);
      record(tally, await filterCandidates(candidates, { context, checker, cap: Infinity }));
    });
  }
}

function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

/**
 * The conditioned prior of one candidate of a kind: P(fix is of this kind | the kind applies to the statement) =
 * share / applicability, capped at 1 (a share larger than the applicability means the published category is wider
 * than the engine's family, and no probability exceeds 1), divided by the kind's effective candidates per hunk.
 */
function conditioned(share: number, applies: number, effective: number): number {
  return Math.min(1, share / 100 / applies) / effective;
}

function printTable(title: string, tally: Tally): void {
  process.stdout.write(`\n${title}: ${tally.hunks} one-statement hunks\n`);
  process.stdout.write(
    "kind        share%  applies  per-hunk(eff)  per-hunk(raw)  P(kind|applies)  per-cand.  prior\n",
  );
  const rows = KINDS.map((kind) => {
    const applied = tally.applies.get(kind) ?? 0;
    const applies = tally.hunks > 0 ? applied / tally.hunks : 0;
    const effective = applied > 0 ? (tally.effective.get(kind) ?? 0) / applied : NaN;
    const raw = applied > 0 ? (tally.raw.get(kind) ?? 0) / applied : NaN;
    const share = PUBLISHED_KIND_SHARE[kind];
    const given = applied > 0 ? Math.min(1, share / 100 / applies) : NaN;
    const perCandidate = applied > 0 ? conditioned(share, applies, effective) : NaN;
    return { kind, share, applies, effective, raw, given, perCandidate };
  });
  const top = Math.max(...rows.map((r) => (Number.isFinite(r.perCandidate) ? r.perCandidate : 0)));
  for (const r of rows.sort((a, b) => (b.perCandidate || 0) - (a.perCandidate || 0))) {
    process.stdout.write(
      [
        r.kind.padEnd(11),
        fixed(r.share).padStart(6),
        fixed(r.applies, 3).padStart(8),
        fixed(r.effective).padStart(14),
        fixed(r.raw).padStart(14),
        fixed(r.given, 3).padStart(16),
        fixed(r.perCandidate, 3).padStart(10),
        fixed(top > 0 ? r.perCandidate / top : NaN).padStart(6),
      ].join(" ") + "\n",
    );
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const pooled = newTally();
  for (const [language, files] of [
    ["python", pythonFiles()],
    ["javascript", javascriptFiles()],
  ] as const) {
    const tally = newTally();
    const sample = everyNth(files, FILES);
    for (const path of sample) {
      await sampleFile(path, language, tally).catch((error: unknown) => {
        process.stderr.write(`skipped ${path}: ${String(error)}\n`);
      });
    }
    printTable(`${language} (${sample.length} of ${files.length} files)`, tally);
    // The pooled table weighs both languages by the hunks they contributed.
    pooled.hunks += tally.hunks;
    for (const kind of KINDS) {
      add(pooled.applies, kind, tally.applies.get(kind) ?? 0);
      add(pooled.effective, kind, tally.effective.get(kind) ?? 0);
      add(pooled.raw, kind, tally.raw.get(kind) ?? 0);
    }
  }
  printTable("both languages", pooled);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  process.stdout.write(`\n${((Date.now() - started) / 1000).toFixed(1)} s, load average ${load}\n`);
}

await main();
