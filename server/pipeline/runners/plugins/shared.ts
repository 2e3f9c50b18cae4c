import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ParsedOutcomes, TestOutcome } from "../outcomes.js";
import { parseAnyTextOutput } from "../parse/auto.js";
import { parseJUnitXml } from "../parse/junit-xml.js";
import { parseTap } from "../parse/tap.js";
import type { RunnerKind, TestCommand } from "../test-command.js";
import type { Invocation, InvocationOptions } from "./plugin.js";

/**
 * Ranks of the detection rules (see DetectionRule): the `test.command` setting is handled before any rule; then
 * package.json's test script, a pytest configuration, build files (go.mod, Cargo.toml, Maven, Gradle, CMake with
 * tests, a Makefile `test` target), plain Java with JUnit 4 tests, and last bare test files (Python, node:test).
 */
export const RANK = {
  packageJsonRunner: 10,
  packageJsonNodeTest: 14,
  packageJsonNpm: 18,
  pytestConfiguration: 20,
  goMod: 30,
  cargoToml: 31,
  pomXml: 32,
  gradle: 33,
  cmake: 34,
  makefile: 35,
  javaJUnit: 40,
  pythonTestFiles: 50,
  nodeTestFiles: 51,
} as const;

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The tests to select, when the runner can select and some were asked for. */
export function selection(command: TestCommand, options: InvocationOptions): readonly TestOutcome[] | undefined {
  return command.canSelect && options.only && options.only.length > 0 ? options.only : undefined;
}

/** The names a runner filters by (the leaf test name when known), without duplicates. */
export function leafNames(only: readonly TestOutcome[]): string[] {
  return unique(only.map((t) => t.selector?.test ?? t.name));
}

export function makeCommand(
  kind: RunnerKind,
  command: string,
  source: string,
  canSelect: boolean,
  extra: Partial<Pick<TestCommand, "java">> = {},
): TestCommand {
  return { kind, command, source, canSelect, ...extra };
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Concatenates every *.xml report under a folder (surefire and Gradle write one file per class). */
export async function readXmlReports(dir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const texts = await Promise.all(
    names.filter((n) => n.endsWith(".xml")).map((n) => readIfExists(join(dir, n)).then((t) => t ?? "")),
  );
  return texts.length > 0 ? texts.join("\n") : undefined;
}

/** Compiler errors of the languages whose builds run inside a test command (gcc, javac, tsc, rustc, go). */
const GENERIC_BUILD_ERROR =
  /(^[^\s:]+\.(c|cc|cpp|h|hpp|java|ts|tsx|go|rs):\d+(:\d+)?: (fatal )?error\b)|(error TS\d+:)|(^error(\[E\d+\])?: )|(undefined reference to)|(^# \S+\n)/m;

export function genericBuildFailed(output: string): boolean {
  return GENERIC_BUILD_ERROR.test(output);
}

/** Per-test outcomes from any text output (TAP, JUnitCore, pytest's summary, ...). */
export function textParser(): Invocation["parse"] {
  return (stdout, stderr) => Promise.resolve(parseAnyTextOutput(`${stdout}\n${stderr}`));
}

export function parseTapOutcomes(stdout: string): ParsedOutcomes | undefined {
  const tests = parseTap(stdout);
  return tests.length > 0 ? { tests } : undefined;
}

/** Outcomes of JUnit XML reports, named `Class.method` and selectable by class and method. */
export function junitXmlOutcomes(xml: string | undefined): ParsedOutcomes | undefined {
  if (xml === undefined) return undefined;
  const tests = parseJUnitXml(xml).map((c) => ({
    name: c.classname ? `${c.classname}.${c.name}` : c.name,
    status: c.status,
    message: c.message,
    ...(c.file ? { file: c.file } : {}),
    ...(c.seconds !== undefined ? { seconds: c.seconds } : {}),
    selector: { test: c.name, ...(c.classname ? { unit: c.classname } : {}) },
  }));
  return tests.length > 0 ? { tests } : undefined;
}
