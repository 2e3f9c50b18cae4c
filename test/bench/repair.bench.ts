/**
 * `npm run bench:repair`: the repair engine on every fixture bug (test/fixtures/bugs) with the built-in engine,
 * and with the model too when an Ollama host is configured (OLLAMA_HOST). Per bug it prints whether a plausible
 * patch was found, whether the best one is correct (held-out tests pass with it), the validations spent and the
 * seconds to the first plausible patch; then totals, separately for the dev and heldout sets of
 * test/fixtures/splits.json (rules are tuned on dev; a gain on dev that heldout does not share is suspect), with the
 * machine's load average. Prints figures, asserts nothing.
 *
 *   node dist/test/bench/repair.bench.js [dev|heldout] [bug-id-prefix ...]
 *   REPAIR_BENCH_BUDGET=seconds (default 300), REPAIR_BENCH_VALIDATIONS=n (default: repair.maxValidations's)
 */
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import type { RepairReport } from "../../server/pipeline/report.js";
import { silentLogger, silentProgress } from "../../server/core/types.js";
import { loadavg } from "node:os";
import { copyProject, isCorrect, listBugs, type BugMeta } from "../support/fixture-bugs.js";
import { readSplits, setOf, type FixtureSet } from "../support/fixture-splits.js";

interface Row {
  readonly bug: BugMeta;
  readonly set: FixtureSet;
  readonly engine: string;
  readonly report: RepairReport;
  readonly correct: boolean;
}

function config(engine: Config["engine"]): Config {
  return {
    ...defaultConfig(),
    engine,
    "repair.budgetSeconds": Number(process.env.REPAIR_BENCH_BUDGET ?? 300),
    "repair.maxValidations": Number(process.env.REPAIR_BENCH_VALIDATIONS ?? defaultConfig()["repair.maxValidations"]),
    "repair.stopAfterPlausible": 1,
    "test.allowRun": "always",
  };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

async function runOne(bug: BugMeta, set: FixtureSet, engine: Config["engine"]): Promise<Row> {
  // A throwaway copy with the project's own dependencies (tsc for TypeScript), as a user's checkout has them.
  const project = copyProject(bug.id);
  try {
    const report = await fixAllFailing({
      root: project.dir,
      config: config(engine),
      logger: silentLogger,
      progress: silentProgress,
      signal: new AbortController().signal,
    });
    const best = report.patches[0];
    const correct = best !== undefined && best.verdict === "repair" ? await isCorrect(bug.id, best) : false;
    return { bug, set, engine, report, correct };
  } finally {
    project.dispose();
  }
}

function printRow(row: Row): void {
  const r = row.report;
  const best = r.patches[0];
  const plausible = best?.verdict === "repair";
  const cells = [
    pad(row.bug.id, 22),
    pad(row.set, 8),
    pad(row.bug.language, 11),
    pad(row.bug.multiHunk ? `${row.bug.hunks.length}${row.bug.interdependent ? "i" : ""}` : "1", 5),
    pad(row.engine, 8),
    pad(plausible ? "yes" : "no", 10),
    pad(row.correct ? "yes" : plausible ? "NO" : "-", 8),
    pad(String(r.validations), 12),
    pad(r.secondsToFirstPlausible !== undefined ? r.secondsToFirstPlausible.toFixed(1) : "-", 12),
    pad(r.seconds.toFixed(1), 8),
    pad(r.status, 16),
    best ? best.description.slice(0, 60) : r.message.slice(0, 60),
  ];
  process.stdout.write(cells.join(" ") + "\n");
}

function printTotals(rows: readonly Row[], engine: string, set: FixtureSet): void {
  const mine = rows.filter((r) => r.engine === engine && r.set === set);
  if (mine.length === 0) return;
  const plausible = mine.filter((r) => r.report.patches[0]?.verdict === "repair");
  const correct = mine.filter((r) => r.correct);
  const multi = mine.filter((r) => r.bug.multiHunk);
  const multiPlausible = multi.filter((r) => r.report.patches[0]?.verdict === "repair");
  const firsts = plausible.map((r) => r.report.secondsToFirstPlausible ?? 0).sort((a, b) => a - b);
  const median = firsts.length > 0 ? firsts[Math.floor(firsts.length / 2)]! : 0;
  const validations = mine.reduce((s, r) => s + r.report.validations, 0);
  const seconds = mine.reduce((s, r) => s + r.report.seconds, 0);
  process.stdout.write(
    `\n[${engine}, ${set}] bugs ${mine.length}: plausible ${plausible.length}, correct ${correct.length}; ` +
      `multi-hunk ${multiPlausible.length}/${multi.length} plausible; validations ${validations} ` +
      `(mean ${(validations / mine.length).toFixed(1)}); median seconds to first plausible ${median.toFixed(1)}; ` +
      `total ${seconds.toFixed(0)} s\n`,
  );
  const byLanguage = new Map<string, [number, number, number]>();
  for (const r of mine) {
    const entry = byLanguage.get(r.bug.language) ?? [0, 0, 0];
    entry[0]++;
    if (r.report.patches[0]?.verdict === "repair") entry[1]++;
    if (r.correct) entry[2]++;
    byLanguage.set(r.bug.language, entry);
  }
  process.stdout.write(
    "by language (bugs/plausible/correct): " +
      [...byLanguage].map(([l, [n, p, c]]) => `${l} ${n}/${p}/${c}`).join(", ") +
      "\n",
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlySet = args[0] === "dev" || args[0] === "heldout" ? args[0] : undefined;
  const prefixes = onlySet ? args.slice(1) : args;
  const splits = readSplits();
  const bugs = listBugs()
    .filter((b) => prefixes.length === 0 || prefixes.some((p) => b.id.startsWith(p)))
    .filter((b) => onlySet === undefined || setOf(splits, b.id) === onlySet);
  const loadBefore = loadavg();
  const engines: Config["engine"][] = ["builtin"];
  if (process.env.OLLAMA_HOST && process.env.OLLAMA_HOST.trim() !== "") engines.push("ollama");
  process.stdout.write(
    [
      pad("bug", 22),
      pad("set", 8),
      pad("language", 11),
      pad("hunks", 5),
      pad("engine", 8),
      pad("plausible", 10),
      pad("correct", 8),
      pad("validations", 12),
      pad("s-to-first", 12),
      pad("seconds", 8),
      pad("status", 16),
      "best patch",
    ].join(" ") + "\n",
  );
  const rows: Row[] = [];
  for (const engine of engines) {
    for (const bug of bugs) {
      const row = await runOne(bug, setOf(splits, bug.id), engine);
      rows.push(row);
      printRow(row);
    }
  }
  for (const engine of engines) for (const set of ["dev", "heldout"] as const) printTotals(rows, engine, set);
  const loadAfter = loadavg();
  process.stdout.write(
    `\nload average (1/5/15 min) at start ${loadBefore.map((l) => l.toFixed(2)).join("/")}, ` +
      `at end ${loadAfter.map((l) => l.toFixed(2)).join("/")}\n`,
  );
}

await main();
