/**
 * `npm run bench:repair`: the repair engine on every fixture bug (test/fixtures/bugs) with the built-in engine,
 * and with the model too when an Ollama host is configured (OLLAMA_HOST). Per bug it prints whether a plausible
 * patch was found, whether the best one is correct (held-out tests pass with it), the validations spent and the
 * seconds to the first plausible patch; then totals. Prints figures, asserts nothing.
 *
 *   node dist/test/bench/repair.bench.js [bug-id-prefix ...]
 *   REPAIR_BENCH_BUDGET=seconds (default 300), REPAIR_BENCH_VALIDATIONS=n (default 300)
 */
import { defaultConfig, type Config } from "../../server/config/schema.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import type { RepairReport } from "../../server/pipeline/report.js";
import { silentLogger, silentProgress } from "../../server/pipeline/types.js";
import { isCorrect, listBugs, projectDir, type BugMeta } from "../support/fixture-bugs.js";

interface Row {
  readonly bug: BugMeta;
  readonly engine: string;
  readonly report: RepairReport;
  readonly correct: boolean;
}

function config(engine: Config["engine"]): Config {
  return {
    ...defaultConfig(),
    engine,
    "repair.budgetSeconds": Number(process.env.REPAIR_BENCH_BUDGET ?? 300),
    "repair.maxValidations": Number(process.env.REPAIR_BENCH_VALIDATIONS ?? 300),
    "repair.stopAfterPlausible": 1,
    "test.allowRun": "always",
  };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

async function runOne(bug: BugMeta, engine: Config["engine"]): Promise<Row> {
  const report = await fixAllFailing({
    root: projectDir(bug.id),
    config: config(engine),
    logger: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
  });
  const best = report.patches[0];
  const correct = best !== undefined && best.plausible ? await isCorrect(bug.id, best) : false;
  return { bug, engine, report, correct };
}

function printRow(row: Row): void {
  const r = row.report;
  const best = r.patches[0];
  const plausible = best?.plausible === true;
  const cells = [
    pad(row.bug.id, 22),
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

function printTotals(rows: readonly Row[], engine: string): void {
  const mine = rows.filter((r) => r.engine === engine);
  if (mine.length === 0) return;
  const plausible = mine.filter((r) => r.report.patches[0]?.plausible === true);
  const correct = mine.filter((r) => r.correct);
  const multi = mine.filter((r) => r.bug.multiHunk);
  const multiPlausible = multi.filter((r) => r.report.patches[0]?.plausible === true);
  const firsts = plausible.map((r) => r.report.secondsToFirstPlausible ?? 0).sort((a, b) => a - b);
  const median = firsts.length > 0 ? firsts[Math.floor(firsts.length / 2)]! : 0;
  const validations = mine.reduce((s, r) => s + r.report.validations, 0);
  const seconds = mine.reduce((s, r) => s + r.report.seconds, 0);
  process.stdout.write(
    `\n[${engine}] bugs ${mine.length}: plausible ${plausible.length}, correct ${correct.length}; ` +
      `multi-hunk ${multiPlausible.length}/${multi.length} plausible; validations ${validations} ` +
      `(mean ${(validations / mine.length).toFixed(1)}); median seconds to first plausible ${median.toFixed(1)}; ` +
      `total ${seconds.toFixed(0)} s\n`,
  );
  const byLanguage = new Map<string, [number, number, number]>();
  for (const r of mine) {
    const entry = byLanguage.get(r.bug.language) ?? [0, 0, 0];
    entry[0]++;
    if (r.report.patches[0]?.plausible) entry[1]++;
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
  const prefixes = process.argv.slice(2);
  const bugs = listBugs().filter((b) => prefixes.length === 0 || prefixes.some((p) => b.id.startsWith(p)));
  const engines: Config["engine"][] = ["builtin"];
  if (process.env.OLLAMA_HOST && process.env.OLLAMA_HOST.trim() !== "") engines.push("ollama");
  process.stdout.write(
    [
      pad("bug", 22),
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
      const row = await runOne(bug, engine);
      rows.push(row);
      printRow(row);
    }
  }
  for (const engine of engines) printTotals(rows, engine);
}

await main();
