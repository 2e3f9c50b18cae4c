import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** Lines executed, per absolute file path (of the user's workspace), 0-based. */
export type LineSet = Map<string, Set<number>>;

/** One unit of a coverage spectrum: a test (or, for V8 coverage, a test file) and the lines it executed. */
export interface SpectrumEntity {
  readonly name: string;
  readonly failed: boolean;
  readonly lines: LineSet;
}

export interface Spectrum {
  readonly entities: readonly SpectrumEntity[];
  /** Where the spectrum came from: dynamic coverage, or static reachability from test bodies. */
  readonly source: "python-trace" | "v8" | "go-cover" | "static";
}

function addLine(set: LineSet, file: string, line: number): void {
  let lines = set.get(file);
  if (!lines) {
    lines = new Set();
    set.set(file, lines);
  }
  lines.add(line);
}

/**
 * Reads the JSON the pytest plugin (repair_ls_line_coverage.py) wrote. Paths in it are relative to the scratch
 * copy, which mirrors the user's root, so they are joined onto `userRoot`.
 */
export function parsePythonCoverage(json: string, userRoot: string): SpectrumEntity[] {
  let data: { tests?: Record<string, { failed?: boolean; lines?: Record<string, number[]> }> };
  try {
    data = JSON.parse(json) as typeof data;
  } catch {
    return [];
  }
  const entities: SpectrumEntity[] = [];
  for (const [name, entry] of Object.entries(data.tests ?? {})) {
    const lines: LineSet = new Map();
    for (const [relative, numbers] of Object.entries(entry.lines ?? {})) {
      if (relative.startsWith("..")) continue;
      for (const n of numbers) addLine(lines, join(userRoot, relative), n - 1);
    }
    entities.push({ name, failed: entry.failed === true, lines });
  }
  return entities;
}

interface V8Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}

interface V8Script {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly V8Range[] }[];
}

/**
 * Lines with executed code in one script, from V8's block coverage: ranges nest (a function, then its blocks),
 * and the innermost range decides a character's count. A line counts as covered when one of its non-blank
 * characters has a count above zero.
 */
export function coveredLinesOfScript(text: string, functions: V8Script["functions"]): Set<number> {
  const ranges = functions.flatMap((f) => f.ranges);
  ranges.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  const counts = new Int32Array(text.length).fill(-1);
  for (const r of ranges) counts.fill(r.count, Math.max(0, r.startOffset), Math.min(text.length, r.endOffset));
  const covered = new Set<number>();
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) {
      line++;
      continue;
    }
    if (ch !== 32 && ch !== 9 && ch !== 13 && (counts[i] ?? 0) > 0) covered.add(line);
  }
  return covered;
}

export interface V8CoverageOptions {
  /** The folder NODE_V8_COVERAGE pointed to. */
  readonly dir: string;
  /** The scratch copy the tests ran in, and the user's root it mirrors. */
  readonly scratchRoot: string;
  readonly userRoot: string;
  /** Whether a user file is a test file, and whether a test file had a failing test. */
  readonly isTestFile: (file: string) => boolean;
  readonly isSourceFile: (file: string) => boolean;
  readonly failedTestFiles: ReadonlySet<string>;
}

/**
 * Reads NODE_V8_COVERAGE output. node --test runs each test file in its own process, so a process is an entity:
 * the test files it loaded name it, and it failed when one of them had a failing test (per-file granularity).
 */
export async function readV8Coverage(options: V8CoverageOptions): Promise<SpectrumEntity[]> {
  let names: string[];
  try {
    names = (await readdir(options.dir)).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const texts = new Map<string, string | undefined>();
  const entities: SpectrumEntity[] = [];
  for (const name of names.sort()) {
    let scripts: V8Script[];
    try {
      scripts = (JSON.parse(await readFile(join(options.dir, name), "utf8")) as { result?: V8Script[] }).result ?? [];
    } catch {
      continue;
    }
    const lines: LineSet = new Map();
    const testFiles: string[] = [];
    for (const script of scripts) {
      if (!script.url.startsWith("file://")) continue;
      let path: string;
      try {
        path = fileURLToPath(script.url);
      } catch {
        continue;
      }
      if (!path.startsWith(options.scratchRoot + "/")) continue;
      const userFile = options.userRoot + path.slice(options.scratchRoot.length);
      if (options.isTestFile(userFile)) {
        testFiles.push(userFile);
        continue;
      }
      if (!options.isSourceFile(userFile)) continue;
      if (!texts.has(path)) texts.set(path, await readFile(path, "utf8").catch(() => undefined));
      const text = texts.get(path);
      if (text === undefined) continue;
      for (const line of coveredLinesOfScript(text, script.functions)) addLine(lines, userFile, line);
    }
    if (testFiles.length === 0) continue;
    entities.push({
      name: testFiles.join(", "),
      failed: testFiles.some((f) => options.failedTestFiles.has(f)),
      lines,
    });
  }
  return entities;
}

/**
 * Parses a Go coverage profile (`mode: set` then `import/path/file.go:l1.c1,l2.c2 statements count`). Files are
 * mapped from import paths to the workspace through the module path of go.mod.
 */
export function parseGoCoverProfile(profile: string, modulePath: string, userRoot: string): LineSet {
  const lines: LineSet = new Map();
  for (const m of profile.matchAll(/^(.+\.go):(\d+)\.\d+,(\d+)\.\d+ \d+ (\d+)$/gm)) {
    if (Number(m[4]) === 0) continue;
    const importPath = m[1]!;
    if (importPath !== modulePath && !importPath.startsWith(modulePath + "/")) continue;
    const file = join(userRoot, importPath.slice(modulePath.length));
    for (let l = Number(m[2]); l <= Number(m[3]); l++) addLine(lines, file, l - 1);
  }
  return lines;
}

/** The module path declared in a go.mod. */
export function goModulePath(goMod: string): string | undefined {
  return /^module\s+(\S+)/m.exec(goMod)?.[1];
}

/**
 * Ochiai suspiciousness of every line any failing entity executed:
 * ef / sqrt(totalFailed * (ef + ep)), where ef and ep count failing and passing entities executing the line.
 */
export function ochiai(entities: readonly SpectrumEntity[]): Map<string, Map<number, number>> {
  const totalFailed = entities.filter((e) => e.failed).length;
  const scores = new Map<string, Map<number, number>>();
  if (totalFailed === 0) return scores;
  const counts = new Map<string, Map<number, { ef: number; ep: number }>>();
  for (const entity of entities) {
    for (const [file, lines] of entity.lines) {
      let perFile = counts.get(file);
      if (!perFile) {
        perFile = new Map();
        counts.set(file, perFile);
      }
      for (const line of lines) {
        const c = perFile.get(line) ?? { ef: 0, ep: 0 };
        if (entity.failed) c.ef++;
        else c.ep++;
        perFile.set(line, c);
      }
    }
  }
  for (const [file, perFile] of counts) {
    const fileScores = new Map<number, number>();
    for (const [line, { ef, ep }] of perFile) {
      if (ef === 0) continue;
      fileScores.set(line, ef / Math.sqrt(totalFailed * (ef + ep)));
    }
    if (fileScores.size > 0) scores.set(file, fileScores);
  }
  return scores;
}
