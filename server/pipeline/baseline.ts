import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { packageRoot } from "../../grammars/paths.js";
import { readV8Coverage, parsePythonCoverage, type SpectrumEntity } from "./localise/coverage.js";
import { goCoverage } from "./localise/go-coverage.js";
import { nodePerTestCoverage } from "./localise/node-coverage.js";
import type { SourceFiles } from "./localise/source-files.js";
import type { TestOutcome, TestRunResult } from "./runners/outcomes.js";
import { runTests, type RunTestsOptions } from "./runners/run-tests.js";
import type { TestCommand } from "./runners/test-command.js";
import type { Logger } from "./types.js";
import type { Worker } from "./validate/pool.js";

/** What the unmodified code does under the test command. */
export interface Baseline {
  readonly run: TestRunResult;
  /** Failing tests that failed again on a re-run: the oracle every candidate must fix. */
  readonly oracle: readonly TestOutcome[];
  /** Failing tests that passed on the re-run. */
  readonly flaky: readonly string[];
  /** Every test that failed in the first run. */
  readonly failingAtBaseline: ReadonlySet<string>;
  readonly passing: readonly TestOutcome[];
  /** Per-test coverage, when the runner could collect it cheaply. */
  readonly coverage?: readonly SpectrumEntity[];
}

export interface BaselineOptions {
  readonly command: TestCommand;
  readonly worker: Worker;
  readonly root: string;
  readonly sources: SourceFiles;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** The folder holding the pytest coverage plugin (a .py file shipped in the source tree). */
function pluginDir(): string {
  return join(packageRoot(), "server", "pipeline", "localise");
}

/**
 * Runs the whole suite once on the unmodified code (in the worker's scratch copy, with cheap coverage hooks where
 * the runner allows: the pytest plugin, NODE_V8_COVERAGE), re-runs the failing tests once to tell consistent
 * failures from flaky ones, and, for small Go suites, collects per-test coverage.
 */
export async function runBaseline(options: BaselineOptions): Promise<Baseline> {
  const { command, worker } = options;
  const copy = worker.copy;
  const base: RunTestsOptions = {
    cwd: copy.root,
    displayRoot: options.root,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    env: copy.env,
    reportParent: copy.dir,
  };
  const coverageFile = join(copy.dir, "python-coverage.json");
  const v8Dir = join(copy.dir, "v8-coverage");
  let coverageEnv: Record<string, string> = {};
  let pytestArgs: string[] = [];
  if (command.kind === "pytest") {
    coverageEnv = {
      PYTHONPATH: [pluginDir(), process.env.PYTHONPATH].filter(Boolean).join(":"),
      REPAIR_LS_COVERAGE_ROOT: copy.root,
      REPAIR_LS_COVERAGE_OUT: coverageFile,
    };
    pytestArgs = ["-p", "repair_ls_line_coverage"];
  } else if (command.kind === "node-test" || command.kind === "npm") {
    await mkdir(v8Dir, { recursive: true });
    coverageEnv = { NODE_V8_COVERAGE: v8Dir };
  }

  worker.runs++;
  let run = await runTests(command, { ...base, env: { ...copy.env, ...coverageEnv }, pytestArgs });
  if (command.kind === "pytest" && run.kind === "completed" && !run.perTest) {
    // The coverage plugin must never cost the user their results: run again without it.
    options.logger.warn("repair: the pytest run with the coverage plugin reported no tests; running without it");
    run = await runTests(command, base);
  }
  const failing = run.tests.filter((t) => t.status === "failed");
  const passing = run.tests.filter((t) => t.status === "passed");
  const failingAtBaseline = new Set(failing.map((t) => t.name));
  if (run.kind !== "completed" || failing.length === 0) {
    await rm(v8Dir, { recursive: true, force: true });
    return { run, oracle: [], flaky: [], failingAtBaseline, passing };
  }

  const rerun = await runTests(command, { ...base, only: failing });
  let oracle: TestOutcome[] = failing;
  if (rerun.kind === "completed") {
    const failedAgain = new Set(rerun.tests.filter((t) => t.status === "failed").map((t) => t.name));
    const namesEveryTest = rerun.counts.total <= rerun.tests.length;
    const reported = new Set(rerun.tests.map((t) => t.name));
    oracle = failing.filter((t) => failedAgain.has(t.name) || (!reported.has(t.name) && namesEveryTest));
  }
  const flaky = failing.filter((t) => !oracle.includes(t)).map((t) => t.name);
  if (flaky.length > 0) options.logger.info(`repair: flaky tests (not used as the oracle): ${flaky.join(", ")}`);
  const oracleNames = new Set(oracle.map((t) => t.name));

  let coverage: SpectrumEntity[] | undefined;
  try {
    if (command.kind === "pytest") {
      const json = await readFile(coverageFile, "utf8").catch(() => undefined);
      if (json) {
        coverage = parsePythonCoverage(json, options.root)
          .filter((e) => !flaky.includes(e.name))
          .map((e) => ({ ...e, failed: oracleNames.has(e.name) }));
      }
    } else if (
      command.kind === "node-test" &&
      (coverage = await nodeCoverage(options, run.tests, oracleNames)).length > 0
    ) {
      // Per-test coverage replaced the per-file one.
    } else if (command.kind === "node-test" || command.kind === "npm") {
      const failedTestFiles = new Set<string>();
      for (const t of oracle) {
        const file = t.file && options.sources.resolve(t.file);
        if (file) failedTestFiles.add(file);
      }
      coverage = await readV8Coverage({
        dir: v8Dir,
        scratchRoot: copy.root,
        userRoot: options.root,
        isTestFile: (f) => options.sources.isTest(f),
        isSourceFile: (f) => options.sources.has(f),
        failedTestFiles,
      });
    } else if (command.kind === "go") {
      coverage = await goCoverage(run.tests, {
        cwd: copy.root,
        userRoot: options.root,
        scratchDir: copy.dir,
        env: copy.env,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        failing: oracleNames,
      });
    }
  } catch (error) {
    options.logger.debug(`repair: coverage unavailable: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await rm(v8Dir, { recursive: true, force: true });
  }
  return { run, oracle, flaky, failingAtBaseline, passing, ...(coverage && coverage.length > 0 ? { coverage } : {}) };
}

function nodeCoverage(options: BaselineOptions, tests: readonly TestOutcome[], failing: ReadonlySet<string>) {
  const copy = options.worker.copy;
  return nodePerTestCoverage(tests, {
    command: options.command,
    cwd: copy.root,
    userRoot: options.root,
    scratchDir: copy.dir,
    env: copy.env,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    failing,
    isTestFile: (f) => options.sources.isTest(f),
    isSourceFile: (f) => options.sources.has(f),
  });
}
