/**
 * Which workspace files are test code. Test code is the oracle a repair is judged by, so it is never a repair
 * target: localisation skips it, and the validator rejects any patch that edits it.
 *
 * Naming conventions (`isTestPath`) miss many real layouts (`java_testcases/junit/GCD_TEST.java` run through
 * JUnitCore, a script named in the test command), so the runner's own report decides as well: the files and units
 * it names for the tests it ran, and the workspace files the test command names.
 */
import type { SourceFiles } from "./localise/source-files.js";
import type { TestRunResult } from "./runners/outcomes.js";
import type { TestCommand } from "./runners/test-command.js";

/** The workspace file a runner's unit names: a Python file, or a Java class (`pkg.Class`, `pkg.Class$Inner`). */
function unitFile(unit: string, sources: SourceFiles): string | undefined {
  const direct = sources.resolve(unit);
  if (direct) return direct;
  const javaClass = unit.split("$")[0] ?? unit;
  const simple = javaClass.split(".").pop();
  return simple ? sources.resolve(`${simple}.java`, `${javaClass}.method`) : undefined;
}

/** Words after which a simple command names test units: runners, not compilers (which name the code too). */
const RUNNER_WORDS =
  /^(pytest|py\.test|unittest|org\.junit\.runner\.JUnitCore|JUnitCore|--test|mocha|jest|vitest|tap|prove)$/;

/**
 * Workspace files the test command hands to a test runner (`pytest tests/check.py`, `java ... JUnitCore GCD_TEST`).
 * Only words after a runner's name count: `gcc main.c && ./check.sh` names the code under test, not a test.
 */
function filesInCommand(command: TestCommand, sources: SourceFiles): string[] {
  const out: string[] = [];
  for (const simple of command.command.split(/&&|\|\||[;|\n]/)) {
    const words = simple.trim().split(/\s+/);
    const runnerAt = words.findIndex((w) => RUNNER_WORDS.test(w));
    if (runnerAt < 0) continue;
    for (const word of words.slice(runnerAt + 1)) {
      if (word.startsWith("-") || !/^[\w./$-]+$/.test(word)) continue;
      const file = sources.resolve(word) ?? (/^[A-Za-z_][\w.$]*$/.test(word) ? unitFile(word, sources) : undefined);
      if (file) out.push(file);
    }
  }
  return out;
}

/**
 * The test files a baseline run reveals, beyond naming conventions: files the runner reported tests in, units
 * (classes, modules) it ran, and workspace files the command names. Build files and binaries are never sources,
 * so they cannot appear here.
 */
export function testFilesFromRun(run: TestRunResult, command: TestCommand, sources: SourceFiles): Set<string> {
  const files = new Set<string>();
  const add = (file: string | undefined): void => {
    if (file && sources.has(file)) files.add(file);
  };
  for (const test of run.tests) {
    if (!run.perTest) break;
    if (test.file) add(sources.resolve(test.file));
    if (test.selector?.unit) add(unitFile(test.selector.unit, sources));
    // JUnitCore and JUnit XML name tests `method(pkg.Class)` or `pkg.Class.method`.
    const junit = /\(([\w.$]+)\)$/.exec(test.name)?.[1];
    if (junit) add(unitFile(junit, sources));
  }
  for (const file of filesInCommand(command, sources)) add(file);
  return files;
}
