import { chmod, cp, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, extname, isAbsolute, join, relative } from "node:path";
import { shellQuote } from "../runners/invocation.js";
import { runProcess } from "../runners/process.js";
import type { LineSet, SpectrumEntity } from "./coverage.js";

/**
 * Per-test line coverage for C and C++ through gcc's `--coverage` and gcov (REFERENCE.md §9): the test command
 * builds and runs once in a scratch copy with compiler shims that add `--coverage`, then each test case runs on
 * its own with the counters (.gcda files) deleted before it, and gcov turns the counters into executed lines.
 *
 * Test cases are found from what the build left: input/output cases (`NAME.in` beside `NAME.out`, `.expected`,
 * `.ans` or `.ok`) run through the one program the build produced, fed on stdin and compared with the expected
 * output; otherwise every built test program (`test_*`, `*_test`, `*_tests`, `tests`) is one case. When neither
 * exists, the whole run is one entity, which still confines the spectrum to the code the failing run executed.
 */

/** Cases above this count are not covered one by one: each costs a run and a gcov pass. */
export const MAX_GCOV_CASES = 60;
/** Longest one case may run: the unmodified program can loop too, and one case must not cost the whole budget. */
const CASE_TIMEOUT_MS = 10_000;

/** Compilers the shims wrap; a Makefile naming any of them (or the default `cc`) gets coverage. */
const COMPILERS = ["cc", "gcc", "c++", "g++"];
/** Extensions of the expected output beside an `.in` file. */
const EXPECTED_EXTENSIONS = [".out", ".expected", ".ans", ".ok"];

export interface GcovCoverageOptions {
  /**
   * A copy of the workspace (the worker's scratch copy). It is only read: the coverage build happens in a private
   * copy of it, so that no object compiled with --coverage lingers where later candidate runs link without it.
   */
  readonly cwd: string;
  /** The user's root that `cwd` mirrors: reported lines are in its files. */
  readonly userRoot: string;
  /** The test command, e.g. `make test`; it is run once with the shims first on PATH. */
  readonly command: string;
  readonly env: Record<string, string>;
  /** Per run (the build-and-test run, and each case). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Names of the tests the oracle says fail (TAP names for make-driven suites). */
  readonly failing: ReadonlySet<string>;
}

/** One runnable test case and how to tell whether it failed. */
interface GcovCase {
  readonly name: string;
  readonly command: string;
  /** Expected standard output, for input/output cases. */
  readonly expected?: string;
}

/** Whether gcc and gcov are both on PATH (resolved to real paths for the shims). */
async function findTools(env: Record<string, string>): Promise<Map<string, string> | undefined> {
  const tools = new Map<string, string>();
  for (const name of [...COMPILERS, "gcov"]) {
    const found = await runProcess(`command -v ${name}`, {
      cwd: tmpdir(),
      env: { ...process.env, ...env },
      timeoutMs: 5_000,
    });
    const path = found.stdout.trim();
    if (found.end === "exited" && found.exitCode === 0 && isAbsolute(path)) tools.set(name, path);
  }
  return tools.has("gcov") && (tools.has("cc") || tools.has("gcc")) ? tools : undefined;
}

/** A folder of shims named like the compilers that call the real compiler with `--coverage` added. */
async function writeShims(tools: ReadonlyMap<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "repair-gcov-shims-"));
  for (const name of COMPILERS) {
    const real = tools.get(name);
    if (!real) continue;
    const shim = join(dir, name);
    await writeFile(shim, `#!/bin/sh\nexec ${shellQuote(real)} --coverage "$@"\n`, "utf8");
    await chmod(shim, 0o755);
  }
  return dir;
}

/** Every file under a folder (skipping version-control and dependency folders), as absolute paths. */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.name === ".git" || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

async function isElfExecutable(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if ((info.mode & 0o111) === 0) return false;
    const handle = await open(path, "r");
    try {
      const magic = Buffer.alloc(4);
      await handle.read(magic, 0, 4, 0);
      return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

const TEST_PROGRAM = /^(test_.*|.*_tests?|tests?)$/;

/** The cases to run one by one, from the files the coverage build left in the copy. */
export async function discoverCases(cwd: string, files: readonly string[]): Promise<GcovCase[]> {
  const programs: string[] = [];
  for (const file of files) if (await isElfExecutable(file)) programs.push(file);
  const testPrograms = programs.filter((p) => TEST_PROGRAM.test(basename(p)));
  const others = programs.filter((p) => !TEST_PROGRAM.test(basename(p)));
  const present = new Set(files);
  const ioCases: GcovCase[] = [];
  if (others.length === 1) {
    const program = others[0]!;
    for (const file of [...files].sort()) {
      if (extname(file) !== ".in") continue;
      const stem = file.slice(0, -3);
      const expected = EXPECTED_EXTENSIONS.map((ext) => stem + ext).find((f) => present.has(f));
      if (!expected) continue;
      ioCases.push({
        name: basename(stem),
        command: `${shellQuote(program)} < ${shellQuote(file)}`,
        expected: await readFile(expected, "utf8"),
      });
    }
  }
  if (ioCases.length > 0) return ioCases;
  return testPrograms.sort().map((program) => ({
    name: relative(cwd, program),
    command: `${shellQuote(program)} < /dev/null`,
  }));
}

/** Output compared the way line-oriented judges do: trailing spaces and trailing blank lines do not count. */
function normaliseOutput(text: string): string {
  return text
    .split("\n")
    .map((line) => line.replace(/\s+$/, ""))
    .join("\n")
    .replace(/\n+$/, "");
}

interface GcovJson {
  readonly current_working_directory?: string;
  readonly files?: readonly {
    readonly file: string;
    readonly lines?: readonly { readonly line_number: number; readonly count: number }[];
  }[];
}

/**
 * Executed lines from gcov's JSON (`gcov --json-format --stdout`, one document per line), with paths mapped from
 * the scratch copy onto the user's root; files outside the copy (system headers) are dropped.
 */
export function parseGcovJson(output: string, cwd: string, userRoot: string): LineSet {
  const lines: LineSet = new Map();
  for (const text of output.split("\n")) {
    if (!text.startsWith("{")) continue;
    let doc: GcovJson;
    try {
      doc = JSON.parse(text) as GcovJson;
    } catch {
      continue;
    }
    const base = doc.current_working_directory ?? cwd;
    for (const file of doc.files ?? []) {
      const absolute = isAbsolute(file.file) ? file.file : join(base, file.file);
      const inCopy = relative(cwd, absolute);
      if (inCopy.startsWith("..") || isAbsolute(inCopy)) continue;
      const userFile = join(userRoot, inCopy);
      for (const line of file.lines ?? []) {
        if (line.count <= 0) continue;
        let set = lines.get(userFile);
        if (!set) {
          set = new Set();
          lines.set(userFile, set);
        }
        set.add(line.line_number - 1);
      }
    }
  }
  return lines;
}

async function removeCounters(cwd: string): Promise<void> {
  for (const file of await walk(cwd)) if (file.endsWith(".gcda")) await rm(file, { force: true });
}

/** Lines executed since the counters were last removed, read with gcov from the copy's .gcda files. */
async function readCounters(options: GcovCoverageOptions, gcov: string): Promise<LineSet> {
  const counters = (await walk(options.cwd)).filter((f) => f.endsWith(".gcda"));
  if (counters.length === 0) return new Map();
  // gcov resolves relative source paths against the compile directory, recorded in the .gcno files.
  const result = await runProcess(
    `${shellQuote(gcov)} --json-format --stdout ${counters.map((c) => shellQuote(c)).join(" ")}`,
    {
      cwd: dirname(counters[0]!),
      env: { ...process.env, ...options.env },
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    },
  );
  if (result.end !== "exited") return new Map();
  return parseGcovJson(result.stdout, options.cwd, options.userRoot);
}

/**
 * Per-case coverage of a C/C++ suite (see the module comment). Returns [] when gcc or gcov is missing, the build
 * produced no counters, or the run was cancelled; callers then fall back to static or fallback localisation.
 */
export async function gcovCoverage(options: GcovCoverageOptions): Promise<SpectrumEntity[]> {
  const tools = await findTools(options.env);
  if (!tools) return [];
  const shims = await writeShims(tools);
  const privateDir = await mkdtemp(join(tmpdir(), "repair-gcov-"));
  try {
    const work = join(privateDir, "workspace");
    await cp(options.cwd, work, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !/[\\/](\.git|node_modules)$/.test(source),
    });
    return await coverageIn({ ...options, cwd: work }, tools, shims);
  } finally {
    await rm(privateDir, { recursive: true, force: true });
    await rm(shims, { recursive: true, force: true });
  }
}

async function coverageIn(
  options: GcovCoverageOptions,
  tools: ReadonlyMap<string, string>,
  shims: string,
): Promise<SpectrumEntity[]> {
  const env = {
    ...process.env,
    ...options.env,
    PATH: `${shims}${delimiter}${options.env.PATH ?? process.env.PATH ?? ""}`,
  };
  const whole = await runProcess(options.command, {
    cwd: options.cwd,
    env,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  if (whole.end !== "exited") return [];
  const gcov = tools.get("gcov")!;
  const files = await walk(options.cwd);
  if (!files.some((f) => f.endsWith(".gcno"))) return [];
  const cases = await discoverCases(options.cwd, files);
  if (cases.length === 0 || cases.length > MAX_GCOV_CASES) {
    // One entity for the whole run: still narrows the spectrum to the code the failing run executed.
    const lines = await readCounters(options, gcov);
    return lines.size > 0 ? [{ name: options.command, failed: options.failing.size > 0, lines }] : [];
  }
  // The oracle's names decide a case's verdict when they name cases (make's TAP output does); else the case's
  // own exit code and output comparison do.
  const oracleNamesCases = cases.some((c) => options.failing.has(c.name));
  const entities: SpectrumEntity[] = [];
  for (const testCase of cases) {
    if (options.signal.aborted) return [];
    await removeCounters(options.cwd);
    const run = await runProcess(testCase.command, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeoutMs: Math.min(options.timeoutMs, CASE_TIMEOUT_MS),
      signal: options.signal,
    });
    const ownVerdict =
      run.end !== "exited" ||
      (testCase.expected !== undefined
        ? normaliseOutput(run.stdout) !== normaliseOutput(testCase.expected)
        : run.exitCode !== 0);
    const failed = oracleNamesCases ? options.failing.has(testCase.name) : ownVerdict;
    entities.push({ name: testCase.name, failed, lines: await readCounters(options, gcov) });
  }
  return entities;
}
