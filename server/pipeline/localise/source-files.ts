import { basename, isAbsolute, join, normalize } from "node:path";
import { languageForPath } from "../../../grammars/languages.js";
import type { StackFrame } from "../../core/types.js";
import type { RawFrame } from "./frames.js";

const TEST_DIRS = new Set(["test", "tests", "__tests__", "spec", "specs", "testing", "testdata"]);

/**
 * Whether a workspace-relative path is test code by the conventions of the supported ecosystems: test folders
 * (including Maven's src/test), test_*.py / *_test.py, *.test.js / *.spec.ts, *_test.go, *Test.java / Test*.java,
 * Rust's tests/ folder, test_*.c / *_test.c.
 */
export function isTestPath(relativePath: string): boolean {
  const parts = relativePath.split("/");
  const name = parts[parts.length - 1] ?? "";
  if (parts.slice(0, -1).some((p) => TEST_DIRS.has(p.toLowerCase()))) return true;
  if (/^(test_.*|.*_test|conftest)\.py$/.test(name)) return true;
  if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(name)) return true;
  if (/_test\.go$/.test(name)) return true;
  if (/^(.*Tests?|Test.*|.*_(test|tests|TEST|TESTS))\.java$/.test(name)) return true;
  if (/^(test_.*|.*_test|.*_tests|tests?)\.(c|cc|cpp|h|hpp)$/.test(name)) return true;
  return false;
}

/** The workspace's source files (in the grammar table), with lookups for resolving paths printed by runners. */
export class SourceFiles {
  private readonly byBasename = new Map<string, string[]>();
  private readonly all: ReadonlySet<string>;
  /** Test files known from the runner's report (see test-files.ts), beyond what naming conventions tell. */
  private readonly reportedTests = new Set<string>();

  constructor(
    readonly root: string,
    files: readonly string[],
  ) {
    const sources = files.filter((f) => languageForPath(f) !== undefined);
    this.all = new Set(sources);
    for (const file of sources) {
      const name = basename(file);
      this.byBasename.set(name, [...(this.byBasename.get(name) ?? []), file]);
    }
  }

  get files(): readonly string[] {
    return [...this.all];
  }

  has(file: string): boolean {
    return this.all.has(file);
  }

  relative(file: string): string {
    return file.startsWith(this.root + "/") ? file.slice(this.root.length + 1) : file;
  }

  isTest(file: string): boolean {
    return this.reportedTests.has(file) || isTestPath(this.relative(file));
  }

  /** Records files the test runner showed to be tests, so that every later isTest() call knows them. */
  markTests(files: Iterable<string>): void {
    for (const file of files) this.reportedTests.add(file);
  }

  /**
   * The workspace file a printed path means: absolute paths inside the workspace, paths relative to the root, and
   * bare or partial paths (Go prints basenames, Java prints the class's file name) matched by their longest
   * suffix; `javaClass` (pkg.Class.method) narrows Java files by package. Undefined for files outside the
   * workspace (standard libraries, dependencies) and for ambiguous names.
   */
  resolve(path: string, javaClass?: string): string | undefined {
    const cleaned = path.replace(/^file:\/\//, "");
    if (isAbsolute(cleaned)) {
      const normalised = normalize(cleaned);
      return this.all.has(normalised) ? normalised : undefined;
    }
    const direct = normalize(join(this.root, cleaned));
    if (this.all.has(direct)) return direct;
    const candidates = this.byBasename.get(basename(cleaned)) ?? [];
    if (candidates.length === 0) return undefined;
    const suffix = "/" + cleaned.replace(/^\.?\//, "");
    let matching = candidates.filter((c) => c.endsWith(suffix));
    if (javaClass && cleaned.endsWith(".java")) {
      // pkg.sub.Class.method: drop the method, keep the lower-case package segments.
      const segments = javaClass
        .split(".")
        .slice(0, -1)
        .filter((s) => /^[a-z_]/.test(s));
      const pkgPath = segments.join("/");
      const inPackage = matching.filter((c) => c.endsWith(`/${pkgPath ? pkgPath + "/" : ""}${basename(cleaned)}`));
      if (inPackage.length > 0) matching = inPackage;
    }
    return matching.length === 1 ? matching[0] : undefined;
  }

  /** Resolves raw frames to workspace frames (0-based lines), dropping frames outside the workspace. */
  resolveFrames(raw: readonly RawFrame[]): StackFrame[] {
    const out: StackFrame[] = [];
    for (const frame of raw) {
      const file = this.resolve(frame.path, frame.function);
      if (!file) continue;
      out.push({ file, line: frame.line - 1, ...(frame.function ? { function: frame.function } : {}) });
    }
    return out;
  }
}

/**
 * Line ranges of test code inside non-test files: Rust's `#[cfg(test)] mod name { ... }` blocks. Found by brace
 * matching from the attribute, which is enough for the formatted code rustfmt produces.
 */
export function inlineTestRanges(text: string, file: string): { startLine: number; endLine: number }[] {
  if (!file.endsWith(".rs")) return [];
  const ranges: { startLine: number; endLine: number }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*#\[cfg\(test\)\]/.test(lines[i]!)) continue;
    let depth = 0;
    let opened = false;
    let end = lines.length;
    for (let j = i; j < lines.length; j++) {
      for (const ch of lines[j]!) {
        if (ch === "{") {
          depth++;
          opened = true;
        } else if (ch === "}") depth--;
      }
      if (opened && depth <= 0) {
        end = j + 1;
        break;
      }
    }
    ranges.push({ startLine: i, endLine: end });
    i = end - 1;
  }
  return ranges;
}
