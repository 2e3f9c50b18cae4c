/**
 * `npm run bench:validate`: validations per second, cold (a new test process per run) against warm (runners/warm/,
 * for runners that have a warm mode), on the same candidates of every fixture bug. A candidate is validated as the
 * validator does it: the failing tests first, then, when they pass, the rest of the suite (in one run, stopping at
 * the first failure, for runners that can; else the whole suite in a second run), under the per-test deadline the
 * product derives from the baseline's per-test durations. Per language it prints the
 * validations per second of both paths and their ratio, how often the two paths gave the same verdict (it must be
 * 100 %), the mean seconds to the first plausible candidate, and the mean seconds a warm server takes to start
 * (apart from the validations: the product starts it right after the baseline, behind localisation); then the
 * machine's load. Prints figures, asserts nothing.
 *
 *   node dist/test/bench/validate.bench.js [bug-id-prefix ...]
 *   REPAIR_BENCH_CANDIDATES=n mutants per bug before the known fix (default 8)
 *   REPAIR_BENCH_WORKERS=n validation workers, each with its own scratch copy and warm server (default: one per
 *     core, the product's default)
 *   REPAIR_BENCH_JS_RUNNER=mocha runs the JavaScript fixtures (node --test over test/) with mocha instead, their
 *     tests unchanged but for `test` = mocha's `it` (the corpus has no mocha project; no bug is added)
 */
import { readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../server/core/config-schema.js";
import { detectTestCommand } from "../../server/pipeline/runners/detect.js";
import type { TestOutcome, TestRunResult } from "../../server/pipeline/runners/outcomes.js";
import { candidateDeadlineFor } from "../../server/pipeline/baseline.js";
import { deadlineMessage } from "../../server/pipeline/runners/plugins/plugin.js";
import { runnerFor } from "../../server/pipeline/runners/plugins/table.js";
import { runTests, type RunTestsOptions, type TestExecutor } from "../../server/pipeline/runners/run-tests.js";
import type { TestCommand } from "../../server/pipeline/runners/test-command.js";
import { WarmPool } from "../../server/pipeline/runners/warm/warm-pool.js";
import { silentLogger } from "../../server/core/types.js";
import { WorkerPool, type Worker } from "../../server/pipeline/validate/pool.js";
import { bugsDir, copyProject, listBugs, type BugMeta } from "../support/fixture-bugs.js";
import { swapNodeTestForMocha } from "../support/js-runner-project.js";

/** Per-test deadline of the baseline run, which finds the tests that hang (candidates get a derived one). */
const BASELINE_TEST_DEADLINE_SECONDS = 5;
const RUN_TIMEOUT_MS = 120_000;
const MUTANTS_PER_BUG = Number(process.env.REPAIR_BENCH_CANDIDATES ?? 8);
const JS_RUNNER = process.env.REPAIR_BENCH_JS_RUNNER;
/** Validation workers, as the product picks them by default (repair.workers 0: one per core). */
const WORKERS = Number(process.env.REPAIR_BENCH_WORKERS ?? availableParallelism());

/** Textual mutations of a buggy line: the kinds of edits the built-in engine makes. */
const MUTATIONS: readonly (readonly [RegExp, string])[] = [
  [/ \+ /, " - "],
  [/ - /, " + "],
  [/ < /, " <= "],
  [/ <= /, " < "],
  [/ > /, " >= "],
  [/ >= /, " > "],
  [/ == /, " != "],
  [/ != /, " == "],
  [/\band\b/, "or"],
  [/\bor\b/, "and"],
  [/\b1\b/, "0"],
  [/\b0\b/, "1"],
  [/\bTrue\b/, "False"],
  [/\btrue\b/, "false"],
  [/ \* /, " / "],
  [/ \/\/ /, " * "],
  [/ % /, " // "],
  [/\bnot /, ""],
  [/\bmin\(/, "max("],
  [/\bmax\(/, "min("],
  [/ - 1\b/, ""],
  [/\(([^(),]+), ([^(),]+)\)/, "($2, $1)"],
  [/\breturn (.+)$/, "return None"],
];

/** Lines around a hunk that are mutated too (candidates of a real search are not all on the buggy line). */
const CONTEXT_LINES = 3;

type Candidate = ReadonlyMap<string, string>;

/** Mutants of the bug's hunk lines, then the known fix (so that the time to the first plausible one means something). */
function candidatesOf(bug: BugMeta, root: string): Candidate[] {
  const mutants: Candidate[] = [];
  for (const hunk of bug.hunks) {
    const path = join(root, hunk.file);
    const lines = readFileSync(path, "utf8").split("\n");
    const from = Math.max(0, hunk.startLine - CONTEXT_LINES);
    const to = Math.min(lines.length, Math.max(hunk.endLine, hunk.startLine + 1) + CONTEXT_LINES);
    for (let line = from; line < to; line++) {
      for (const [pattern, replacement] of MUTATIONS) {
        const text = lines[line];
        if (text === undefined || !pattern.test(text)) continue;
        const mutated = [...lines];
        mutated[line] = text.replace(pattern, replacement);
        mutants.push(new Map([[path, mutated.join("\n")]]));
      }
    }
  }
  const fixed = new Map<string, string>();
  for (const file of new Set(bug.hunks.map((h) => h.file))) {
    fixed.set(join(root, file), readFileSync(join(bugsDir(), bug.id, "fixed", file), "utf8"));
  }
  return [...mutants.slice(0, MUTANTS_PER_BUG), fixed];
}

type Verdict = string;

interface PathResult {
  readonly verdicts: Verdict[];
  readonly seconds: number;
  /** Seconds from the first candidate to the end of the first plausible one; undefined when none was. */
  readonly firstPlausible?: number;
}

function statusesOf(run: TestRunResult): string {
  return JSON.stringify([run.kind, run.perTest, run.counts, run.tests.map((t) => [t.name, t.status]).sort()]);
}

/** What the baseline run established, as far as the bench needs it. */
interface BenchBaseline {
  readonly oracle: readonly TestOutcome[];
  /** Every test of the baseline, those that failed last (the validator's order without coverage). */
  readonly suite: readonly TestOutcome[];
  /** The candidates' per-test deadline, derived as the product derives it (baseline.ts). */
  readonly testDeadlineSeconds: number;
}

/**
 * Validates candidates on one path with every worker at once, as the validator does (each worker has its own
 * scratch copy, and its own warm server); the verdict keeps every per-test status, so agreement is strict.
 */
async function validateAll(
  command: TestCommand,
  workers: readonly Worker[],
  root: string,
  baseline: BenchBaseline,
  candidates: readonly Candidate[],
  executorFor: ((worker: Worker) => TestExecutor) | undefined,
): Promise<PathResult> {
  const { oracle } = baseline;
  const oracleNames = new Set(oracle.map((t) => t.name));
  // The validator's one run per candidate: the failing tests, then the rest of the suite stopping at a failure.
  const oneRun = command.canSelect && oracle.length > 0 && runnerFor(command.kind).runsOracleFirst === true;
  const rest = baseline.suite.filter((t) => !oracleNames.has(t.name));
  const started = performance.now();
  const verdicts: Verdict[] = [];
  let firstPlausible: number | undefined;
  let next = 0;
  const validateOn = async (worker: Worker): Promise<void> => {
    const options = (only?: readonly TestOutcome[]): RunTestsOptions => ({
      cwd: worker.copy.root,
      displayRoot: root,
      timeoutMs: RUN_TIMEOUT_MS,
      env: worker.copy.env,
      reportParent: worker.copy.dir,
      testDeadlineSeconds: baseline.testDeadlineSeconds,
      ...(only ? { only } : {}),
      ...(executorFor ? { executor: executorFor(worker) } : {}),
    });
    for (let index = next++; index < candidates.length; index = next++) {
      await worker.copy.apply(candidates[index]!);
      try {
        const first = oneRun
          ? await runTests(command, { ...options([...oracle, ...rest]), oracleFirst: oracleNames.size })
          : await runTests(command, options(command.canSelect ? oracle : undefined));
        const fixesOracle =
          first.kind === "completed" &&
          first.perTest &&
          first.tests.filter((t) => oracleNames.has(t.name)).every((t) => t.status === "passed");
        if (!fixesOracle) {
          verdicts[index] = `not fixed ${statusesOf(first)}`;
          continue;
        }
        const full = command.canSelect && !oneRun ? await runTests(command, options()) : first;
        const plausible = full.kind === "completed" && full.counts.failed === 0;
        verdicts[index] = `${plausible ? "plausible" : "regresses"} ${statusesOf(full)}`;
        if (plausible) firstPlausible ??= (performance.now() - started) / 1000;
      } finally {
        await worker.copy.restore();
      }
    }
  };
  await Promise.all(workers.map(validateOn));
  return {
    verdicts,
    seconds: (performance.now() - started) / 1000,
    ...(firstPlausible !== undefined ? { firstPlausible } : {}),
  };
}

interface BugRow {
  readonly bug: BugMeta;
  readonly candidates: number;
  readonly cold: PathResult;
  readonly warm?: PathResult;
  readonly agreeing: number;
  /** Seconds the warm server took to start, before the first candidate. */
  readonly warmStartSeconds?: number;
}

async function benchBug(bug: BugMeta): Promise<BugRow | undefined> {
  const copy = copyProject(bug.id);
  // The Java fixtures build with a Makefile (javac, then JUnitCore), which the make runner runs as one opaque
  // command; without it the same project is a plain javac + JUnit one, the runner that has a warm worker.
  if (bug.language === "java") rmSync(join(copy.dir, "Makefile"), { force: true });
  if (JS_RUNNER === "mocha" && bug.language === "javascript" && !swapNodeTestForMocha(copy.dir)) {
    copy.dispose();
    return undefined;
  }
  const workers = new WorkerPool({ root: copy.dir, size: WORKERS, logger: silentLogger });
  const command = await detectTestCommand(copy.dir, defaultConfig());
  if (!command) return undefined;
  const warm = WarmPool.for(command, copy.dir, silentLogger);
  try {
    const all = await workers.fill();
    const worker = all[0]!;
    const baseline = await runTests(command, {
      cwd: worker.copy.root,
      displayRoot: copy.dir,
      timeoutMs: RUN_TIMEOUT_MS,
      env: worker.copy.env,
      reportParent: worker.copy.dir,
      testDeadlineSeconds: BASELINE_TEST_DEADLINE_SECONDS,
    });
    const oracle = baseline.tests.filter((t) => t.status === "failed");
    // As runBaseline does: a multiple of the slowest test that finished, the hanging ones left out.
    const hung = deadlineMessage(BASELINE_TEST_DEADLINE_SECONDS);
    const seconds = new Map(
      baseline.tests.flatMap((t) =>
        t.seconds !== undefined && !t.message.includes(hung) ? [[t.name, t.seconds]] : [],
      ),
    );
    const bench: BenchBaseline = {
      oracle,
      suite: [...baseline.tests.filter((t) => t.status === "passed"), ...oracle.filter((t) => t.status !== "skipped")],
      testDeadlineSeconds: candidateDeadlineFor(runnerFor(command.kind), seconds, baseline.tests),
    };
    // As the product does after its baseline: the warm server starts before any candidate needs it. Its start-up
    // is timed alone (nothing else runs meanwhile) and printed apart from the validations.
    const startedAt = performance.now();
    warm?.prestart(all, command);
    await warm?.started();
    const warmStartSeconds = warm ? (performance.now() - startedAt) / 1000 : undefined;
    const candidates = candidatesOf(bug, copy.dir);
    const cold = await validateAll(command, all, copy.dir, bench, candidates, undefined);
    const warmResult = warm
      ? await validateAll(command, all, copy.dir, bench, candidates, (w) => warm.executorFor(w))
      : undefined;
    const agreeing = warmResult ? cold.verdicts.filter((v, i) => warmResult.verdicts[i] === v).length : 0;
    return {
      bug,
      candidates: candidates.length,
      cold,
      ...(warmResult ? { warm: warmResult } : {}),
      ...(warmStartSeconds !== undefined ? { warmStartSeconds } : {}),
      agreeing,
    };
  } finally {
    await warm?.close();
    await workers.close();
    copy.dispose();
  }
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function mean(values: readonly number[]): string {
  return values.length === 0 ? "-" : (values.reduce((a, b) => a + b, 0) / values.length).toFixed(1);
}

async function main(): Promise<void> {
  const prefixes = process.argv.slice(2);
  const bugs = listBugs().filter((b) => prefixes.length === 0 || prefixes.some((p) => b.id.startsWith(p)));
  const rows: BugRow[] = [];
  for (const bug of bugs) {
    const row = await benchBug(bug);
    if (!row) continue;
    rows.push(row);
    const warm = row.warm
      ? `warm ${row.warm.seconds.toFixed(1)} s (server start ${row.warmStartSeconds?.toFixed(1) ?? "-"} s), agree ${row.agreeing}/${row.candidates}`
      : "no warm";
    process.stdout.write(
      `${pad(bug.id, 24)} ${row.candidates} candidates: cold ${row.cold.seconds.toFixed(1)} s, ${warm}\n`,
    );
  }
  process.stdout.write(
    `\n${pad("language", 12)}${pad("bugs", 6)}${pad("cands", 7)}${pad("cold v/s", 10)}${pad("warm v/s", 10)}` +
      `${pad("ratio", 8)}${pad("agree", 8)}${pad("1st plaus. cold/warm s", 24)}${pad("warm start s", 12)}\n`,
  );
  for (const language of [...new Set(rows.map((r) => r.bug.language))].sort()) {
    const of = rows.filter((r) => r.bug.language === language);
    const candidates = of.reduce((n, r) => n + r.candidates, 0);
    const coldRate = candidates / of.reduce((s, r) => s + r.cold.seconds, 0);
    const warmRows = of.filter((r) => r.warm);
    const warmCandidates = warmRows.reduce((n, r) => n + r.candidates, 0);
    const warmRate =
      warmRows.length === of.length ? warmCandidates / warmRows.reduce((s, r) => s + r.warm!.seconds, 0) : NaN;
    const agree =
      warmRows.length === of.length
        ? `${((100 * of.reduce((n, r) => n + r.agreeing, 0)) / candidates).toFixed(0)} %`
        : "-";
    const firstCold = mean(of.flatMap((r) => (r.cold.firstPlausible !== undefined ? [r.cold.firstPlausible] : [])));
    const firstWarm = mean(
      warmRows.flatMap((r) => (r.warm?.firstPlausible !== undefined ? [r.warm.firstPlausible] : [])),
    );
    process.stdout.write(
      `${pad(language, 12)}${pad(String(of.length), 6)}${pad(String(candidates), 7)}${pad(coldRate.toFixed(2), 10)}` +
        `${pad(Number.isNaN(warmRate) ? "-" : warmRate.toFixed(2), 10)}` +
        `${pad(Number.isNaN(warmRate) ? "-" : `${(warmRate / coldRate).toFixed(1)}x`, 8)}${pad(agree, 8)}` +
        `${pad(`${firstCold} / ${warmRows.length > 0 ? firstWarm : "-"}`, 24)}` +
        `${mean(warmRows.flatMap((r) => (r.warmStartSeconds !== undefined ? [r.warmStartSeconds] : [])))}\n`,
    );
  }
  process.stdout.write(
    `\nworkers: ${WORKERS}; load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
}

await main();
