import type { TestOutcome } from "../runners/outcomes.js";
import type { FailureEvidence, Hunk, StackFrame, TestFailure } from "../../core/types.js";
import type { WorkspaceFiles } from "../workspace-files.js";
import { ochiai, type LineSet, type SpectrumEntity } from "./coverage.js";
import { fallbackLines } from "./fallback.js";
import { factsOf, functionAt, type FileFacts, type FunctionFact } from "./file-facts.js";
import { parseFrames } from "./frames.js";
import { inlineTestRanges, type SourceFiles } from "./source-files.js";

/** A line of workspace code with its suspiciousness and what it was derived from. */
export interface SuspiciousLine {
  readonly file: string;
  /** 0-based. */
  readonly line: number;
  /**
   * Spectrum score (Ochiai over coverage, or over static reachability when there is no coverage) in [0, 1]; in a
   * fallback localisation, the line's scaled fix-pattern prior (at most 0.1, see fallback.ts).
   */
  readonly spectrum: number;
  /**
   * Stack-trace score: 1 for the innermost non-test frame of a failing test, less for outer frames; lines of the
   * functions those frames are in get a fraction of it (the crash is often a symptom of a nearby line).
   */
  readonly trace: number;
  /** Statement-kind weight (conditions 6 ... other 1). */
  readonly kind: number;
}

export type HunkOrigin = "line" | "group" | "function" | "given";

export interface RankedHunk {
  readonly hunk: Hunk;
  /** Higher is more suspicious; comparable within one localisation. */
  readonly score: number;
  readonly origin: HunkOrigin;
}

export interface LocaliseInput {
  readonly sources: SourceFiles;
  readonly files: WorkspaceFiles;
  /** The oracle: tests failing on the unmodified code (consistently). */
  readonly failing: readonly TestOutcome[];
  /** Tests passing on the unmodified code. */
  readonly passing: readonly TestOutcome[];
  /** Dynamic coverage per test (or test file), when the runner could collect it. */
  readonly coverage?: readonly SpectrumEntity[];
  /** The run's whole output, searched for frames when a failing test's own message has none. */
  readonly output?: string;
}

export interface Localisation {
  readonly lines: readonly SuspiciousLine[];
  readonly hunks: readonly RankedHunk[];
  readonly evidence: FailureEvidence;
  /** Which spectrum ranked the lines. */
  readonly spectrumSource: "coverage" | "static" | "none";
  /**
   * Non-test source files that do not parse, with the first error's line, when they matter to the failure: a
   * failing test's frame points into them, or nothing else was found to blame.
   */
  readonly brokenFiles: readonly { readonly file: string; readonly line: number }[];
  /**
   * True when nothing pointed at any line (no coverage, no reachable code, no frame) and the lines are the
   * executable statements of the sources the tests run, ranked by fix-pattern priors (fallback.ts): the report
   * should say so, since the ranking is then a prior rather than evidence.
   */
  readonly fallback: boolean;
}

/** Suspicious lines turned into single-line (or single-statement) hunks. */
const MAX_LINE_HUNKS = 12;
/** Longest run of adjacent suspicious lines grouped into one hunk. */
const MAX_GROUP_LINES = 4;
/** Functions whose whole body is offered as one hunk. */
const MAX_FUNCTION_HUNKS = 2;
/** Tests whose bodies are analysed for the static spectrum. */
const MAX_STATIC_TESTS = 300;
/** Depth of the static call graph followed from a test body. */
const STATIC_DEPTH = 2;

interface Located {
  readonly facts: FileFacts;
  readonly fn: FunctionFact;
}

/** The last component of a test name: the function, method or description a test body is found by. */
export function leafName(test: TestOutcome): string {
  const raw = test.selector?.test ?? test.name;
  const parts = raw.split(/::| > |\//);
  let leaf = parts[parts.length - 1] ?? raw;
  leaf = leaf.replace(/\[.*\]$/, "");
  if (/^[\w$.]+$/.test(leaf) && leaf.includes(".")) leaf = leaf.slice(leaf.lastIndexOf(".") + 1);
  return leaf;
}

class StaticIndex {
  /** Non-test functions by name. */
  readonly byName = new Map<string, Located[]>();
  /** Test functions by name, and test string calls by description. */
  readonly testFunctions = new Map<string, Located[]>();
  readonly testStrings = new Map<string, { facts: FileFacts; startLine: number; endLine: number }>();
  readonly facts = new Map<string, FileFacts>();
  /** Per file, the line ranges that are test code inside a non-test file (Rust #[cfg(test)]). */
  readonly inlineTests = new Map<string, { startLine: number; endLine: number }[]>();

  isTestLine(file: string, line: number, sources: SourceFiles): boolean {
    if (sources.isTest(file)) return true;
    return (this.inlineTests.get(file) ?? []).some((r) => r.startLine <= line && line < r.endLine);
  }

  static async build(sources: SourceFiles, files: WorkspaceFiles): Promise<StaticIndex> {
    const index = new StaticIndex();
    for (const file of sources.files) {
      const text = await files.read(file);
      if (text === undefined || text.length > 1_000_000) continue;
      const facts = await factsOf(file, text);
      if (!facts) continue;
      index.facts.set(file, facts);
      const inline = inlineTestRanges(text, file);
      if (inline.length > 0) index.inlineTests.set(file, inline);
      const testFile = sources.isTest(file);
      for (const fn of facts.functions) {
        if (!fn.name) continue;
        const name = fn.name.replace(/^.*[.:]/, "");
        const isTest = testFile || inline.some((r) => r.startLine <= fn.startLine && fn.startLine < r.endLine);
        const map = isTest ? index.testFunctions : index.byName;
        map.set(name, [...(map.get(name) ?? []), { facts, fn }]);
      }
      if (testFile || inline.length > 0) {
        for (const [literal, range] of facts.stringCalls) {
          if (!index.testStrings.has(literal)) index.testStrings.set(literal, { facts, ...range });
        }
      }
    }
    return index;
  }

  /** Identifiers used in a line range of a file. */
  identifiersIn(facts: FileFacts, startLine: number, endLine: number): Set<string> {
    const ids = new Set<string>();
    for (let line = startLine; line < endLine; line++)
      for (const id of facts.lineIdentifiers.get(line) ?? []) ids.add(id);
    return ids;
  }

  /** The identifiers of a test's body, found by its function name, its description string, or its frames. */
  testBodyIdentifiers(test: TestOutcome, frames: readonly StackFrame[], sources: SourceFiles): Set<string> {
    const leaf = leafName(test);
    const fns = this.testFunctions.get(leaf);
    if (fns && fns.length > 0) {
      const ids = new Set<string>();
      for (const { fn } of fns) for (const id of fn.identifiers) ids.add(id);
      return ids;
    }
    const literal = this.testStrings.get(leaf);
    if (literal) return this.identifiersIn(literal.facts, literal.startLine, literal.endLine);
    for (const frame of frames) {
      if (!this.isTestLine(frame.file, frame.line, sources)) continue;
      const facts = this.facts.get(frame.file);
      const fn = facts && functionAt(facts, frame.line);
      if (fn) return new Set(fn.identifiers);
    }
    return new Set();
  }

  /** Lines of the non-test functions reachable from a set of identifiers through the static call graph. */
  reach(identifiers: Set<string>, sources: SourceFiles): LineSet {
    const lines: LineSet = new Map();
    const seen = new Set<FunctionFact>();
    let frontier = identifiers;
    for (let depth = 0; depth <= STATIC_DEPTH && frontier.size > 0; depth++) {
      const next = new Set<string>();
      for (const id of frontier) {
        // Test helpers (e.g. a checking function in the test file) are followed but never become candidates.
        for (const { fn } of this.testFunctions.get(id) ?? []) {
          if (seen.has(fn)) continue;
          seen.add(fn);
          for (const callee of fn.identifiers) next.add(callee);
        }
        for (const { facts, fn } of this.byName.get(id) ?? []) {
          if (seen.has(fn)) continue;
          seen.add(fn);
          let set = lines.get(facts.file);
          if (!set) {
            set = new Set();
            lines.set(facts.file, set);
          }
          for (let l = fn.startLine; l < fn.endLine; l++) {
            if (facts.lineWeights.has(l) && !this.isTestLine(facts.file, l, sources)) set.add(l);
          }
          for (const callee of fn.identifiers) next.add(callee);
        }
      }
      frontier = next;
    }
    return lines;
  }
}

function traceScores(failures: readonly TestFailure[], isTestLine: (file: string, line: number) => boolean) {
  const scores = new Map<string, number>();
  for (const failure of failures) {
    let rank = 0;
    const seen = new Set<string>();
    for (const frame of failure.frames) {
      if (isTestLine(frame.file, frame.line)) continue;
      const key = `${frame.file}\u0000${frame.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const score = Math.max(0.1, 1 - 0.15 * rank++);
      scores.set(key, Math.max(scores.get(key) ?? 0, score));
    }
  }
  return scores;
}

/** How much a stack frame adds to a line's primary score: an exception's innermost frame is strong evidence. */
const TRACE_WEIGHT = 0.3;
/** Share of a frame's score given to the other lines of its function. */
const TRACE_FUNCTION_SHARE = 0.3;

function primary(l: SuspiciousLine): number {
  return Math.round((l.spectrum + TRACE_WEIGHT * l.trace) * 1e6);
}

function compareLines(a: SuspiciousLine, b: SuspiciousLine): number {
  return (
    primary(b) - primary(a) ||
    b.trace - a.trace ||
    b.kind - a.kind ||
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line
  );
}

function lineScore(l: SuspiciousLine): number {
  return l.spectrum + TRACE_WEIGHT * l.trace + 0.01 * l.kind;
}

function lineHunk(facts: FileFacts | undefined, file: string, line: number): Hunk {
  const end = facts?.statementEnds.get(line);
  return { file, startLine: line, endLine: end !== undefined && end - line <= 3 ? end : line + 1 };
}

/** Turns ranked lines into ranked hunks: each line (or its statement), runs of adjacent lines, whole functions. */
export function hunksFromLines(lines: readonly SuspiciousLine[], facts: ReadonlyMap<string, FileFacts>): RankedHunk[] {
  const out: RankedHunk[] = [];
  const seen = new Set<string>();
  const push = (hunk: Hunk, score: number, origin: HunkOrigin): void => {
    const key = `${hunk.file}:${hunk.startLine}-${hunk.endLine}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ hunk, score, origin });
  };
  const top = lines.slice(0, MAX_LINE_HUNKS);
  const topKeys = new Set(top.map((l) => `${l.file}:${l.line}`));
  const grouped = new Set<string>();
  for (const l of top) {
    push(lineHunk(facts.get(l.file), l.file, l.line), lineScore(l), "line");
    if (grouped.has(`${l.file}:${l.line}`)) continue;
    // A run of adjacent suspicious lines around this one becomes one more hunk, right after its best line.
    let start = l.line;
    let end = l.line + 1;
    while (start > 0 && topKeys.has(`${l.file}:${start - 1}`) && end - start < MAX_GROUP_LINES) start--;
    while (topKeys.has(`${l.file}:${end}`) && end - start < MAX_GROUP_LINES) end++;
    if (end - start > 1) {
      for (let k = start; k < end; k++) grouped.add(`${l.file}:${k}`);
      push({ file: l.file, startLine: start, endLine: end }, lineScore(l) * 0.9, "group");
    }
  }
  let functions = 0;
  for (const l of top) {
    if (functions >= MAX_FUNCTION_HUNKS) break;
    const f = facts.get(l.file);
    const fn = f && functionAt(f, l.line);
    if (!fn || fn.endLine - fn.startLine < 3) continue;
    // The body without the signature line and the closing line: the generator rewrites the function's statements.
    const body = {
      file: l.file,
      startLine: fn.startLine + 1,
      endLine: f.language === "python" ? fn.endLine : fn.endLine - 1,
    };
    if (body.endLine <= body.startLine) continue;
    const before = out.length;
    push(body, lineScore(l) * 0.5, "function");
    if (out.length > before) functions++;
  }
  return out;
}

/**
 * Ranks suspicious lines for the failing tests and groups them into hunks (REFERENCE.md §1): a spectrum score
 * (Ochiai over per-test coverage when the runner provided it, else over the lines each test's body can reach in
 * the static call graph), ties broken by stack-trace position and then by statement kind. Test code is never a
 * candidate while non-test code is.
 */
export async function localise(input: LocaliseInput): Promise<Localisation> {
  const { sources } = input;
  const index = await StaticIndex.build(sources, input.files);
  const isTestLine = (file: string, line: number): boolean => index.isTestLine(file, line, sources);

  const failures: TestFailure[] = input.failing.map((test) => {
    let frames = sources.resolveFrames(parseFrames(test.message));
    if (frames.length === 0 && input.failing.length === 1 && input.output) {
      frames = sources.resolveFrames(parseFrames(input.output));
    }
    return { name: test.name, message: test.message.slice(0, 4000), frames };
  });
  const evidence: FailureEvidence = { failingTests: failures, diagnostics: [] };

  // The spectrum: dynamic coverage when it covers some non-test line a failing test executed.
  let spectrumSource: Localisation["spectrumSource"] = "none";
  let scores = new Map<string, Map<number, number>>();
  if (input.coverage && input.coverage.some((e) => e.failed)) {
    scores = ochiai(input.coverage);
    const useful = [...scores].some(([file, lines]) => [...lines.keys()].some((l) => !isTestLine(file, l)));
    if (useful) spectrumSource = "coverage";
  }
  if (spectrumSource === "none") {
    let passing: readonly TestOutcome[] = input.passing;
    if (passing.length === 0) {
      // Runners that name failures only (JUnitCore): the test functions that did not fail passed.
      const failingLeaves = new Set(input.failing.map(leafName));
      passing = [...index.testFunctions.keys()]
        .filter((name) => !failingLeaves.has(name) && /test/i.test(name) === /test/i.test([...failingLeaves][0] ?? ""))
        .map((name) => ({ name, status: "passed" as const, message: "", selector: { test: name } }));
    }
    const tests = [...input.failing, ...passing.slice(0, Math.max(0, MAX_STATIC_TESTS - input.failing.length))];
    const entities: SpectrumEntity[] = tests.map((test, i) => {
      const frames = i < failures.length ? failures[i]!.frames : [];
      const ids = index.testBodyIdentifiers(test, frames, sources);
      const lines = index.reach(ids, sources);
      // The functions a failing test's frames pass through are reached too, even when the body names none of them.
      for (const frame of frames) {
        const facts = index.facts.get(frame.file);
        const fn = facts && functionAt(facts, frame.line);
        if (!facts || !fn || isTestLine(frame.file, frame.line)) continue;
        for (const [file, set] of index.reach(new Set(fn.identifiers.concat(fn.name ? [fn.name] : [])), sources)) {
          const target = lines.get(file) ?? new Set<number>();
          for (const l of set) target.add(l);
          lines.set(file, target);
        }
      }
      return { name: test.name, failed: i < input.failing.length, lines };
    });
    scores = ochiai(entities);
    if (scores.size > 0) spectrumSource = "static";
  }

  const trace = traceScores(failures, isTestLine);
  // Spread each frame's score, reduced, over the other lines of its function.
  for (const [key, score] of [...trace]) {
    const [file, line] = key.split("\u0000") as [string, string];
    const facts = index.facts.get(file);
    const fn = facts && functionAt(facts, Number(line));
    if (!facts || !fn) continue;
    for (let l = fn.startLine; l < fn.endLine; l++) {
      const k = `${file}\u0000${l}`;
      if (facts.lineWeights.has(l)) trace.set(k, Math.max(trace.get(k) ?? 0, score * TRACE_FUNCTION_SHARE));
    }
  }
  const candidates = new Map<string, SuspiciousLine>();
  const consider = (file: string, line: number, spectrum: number): void => {
    const facts = index.facts.get(file);
    const kind = facts?.lineWeights.get(line);
    if (kind === undefined || isTestLine(file, line)) return;
    const key = `${file}\u0000${line}`;
    const previous = candidates.get(key);
    candidates.set(key, {
      file,
      line,
      spectrum: Math.max(spectrum, previous?.spectrum ?? 0),
      trace: trace.get(key) ?? 0,
      kind,
    });
  };
  for (const [file, lines] of scores) for (const [line, score] of lines) consider(file, line, score);
  for (const key of trace.keys()) {
    const [file, line] = key.split("\u0000") as [string, string];
    if (!candidates.has(key)) consider(file, Number(line), 0);
  }
  // No signal at all (typical of input/output-tested programs without coverage): fall back to every executable
  // statement of the sources the tests run, ranked by priors.
  const fallback = candidates.size === 0;
  if (fallback) {
    const isTestFile = (file: string): boolean => sources.isTest(file);
    for (const l of fallbackLines({ facts: index.facts, isTestFile, isTestLine })) consider(l.file, l.line, l.score);
  }
  const lines = [...candidates.values()].sort(compareLines);
  const hunks = hunksFromLines(lines, index.facts);
  const framed = new Set(failures.flatMap((f) => f.frames.map((frame) => frame.file)));
  for (const h of hunks.slice(0, MAX_LINE_HUNKS)) framed.add(h.hunk.file);
  const brokenFiles = [...index.facts.values()]
    .filter((f) => f.syntaxErrorLines.length > 0 && !sources.isTest(f.file))
    .filter((f) => framed.has(f.file) || hunks.length === 0)
    .map((f) => ({ file: f.file, line: f.syntaxErrorLines[0]! }));
  return { lines, hunks, evidence, spectrumSource, brokenFiles, fallback: fallback && lines.length > 0 };
}

/** Facts of the files of some hunks (for callers that localise within given hunks). */
export async function factsFor(files: WorkspaceFiles, paths: Iterable<string>): Promise<Map<string, FileFacts>> {
  const out = new Map<string, FileFacts>();
  for (const file of paths) {
    const text = await files.read(file);
    const facts = text === undefined ? undefined : await factsOf(file, text);
    if (facts) out.set(file, facts);
  }
  return out;
}
