/**
 * A repair with a slow model next to the built-in engine alone (issue 12: a model must never hold up a template
 * fix). Each fixture bug is repaired twice: engine "builtin", then engine "auto" against the strict Ollama test
 * server scripted to take one second per answer (a CPU-bound 7B model). Prints seconds to the first plausible
 * patch and wall-clock seconds per run; asserts nothing.
 *
 *   node dist/test/bench/slow-model.bench.js [bug-id ...]   (default: a few Python and JavaScript bugs)
 *   REPAIR_BENCH_ANSWER_MS=milliseconds per answer (default 1000)
 */
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { resetOllamaState } from "../../server/pipeline/generate/index.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import type { RepairReport } from "../../server/pipeline/report.js";
import { silentLogger, silentProgress } from "../../server/core/types.js";
import { copyProject } from "../support/fixture-bugs.js";
import { BASE_MODEL, startOllamaTestServer } from "../support/ollama-test-server.js";

const DEFAULT_BUGS = ["py-ttl-cache", "py-inclusive-range", "py-wrap-text", "js-pad", "js-chunk"];
const ANSWER_MS = Number(process.env.REPAIR_BENCH_ANSWER_MS ?? 1_000);

function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function config(engine: Config["engine"], host: string): Config {
  return {
    ...defaultConfig(),
    engine,
    "ollama.host": host,
    "ollama.model": BASE_MODEL.name,
    "repair.budgetSeconds": 300,
    "repair.stopAfterPlausible": 1,
    "test.allowRun": "always",
  };
}

async function repair(
  id: string,
  engine: Config["engine"],
  host: string,
): Promise<{ report: RepairReport; seconds: number }> {
  const copy = copyProject(id);
  resetOllamaState();
  const started = performance.now();
  try {
    const report = await fixAllFailing({
      root: copy.dir,
      config: config(engine, host),
      logger: silentLogger,
      progress: silentProgress,
      signal: new AbortController().signal,
    });
    return { report, seconds: (performance.now() - started) / 1000 };
  } finally {
    copy.dispose();
  }
}

function cell(run: { report: RepairReport; seconds: number }): string {
  const first = run.report.secondsToFirstPlausible;
  return `${run.report.status.padEnd(16)} first plausible ${first === undefined ? "   -  " : `${first.toFixed(1).padStart(5)} s`}, total ${run.seconds.toFixed(1).padStart(5)} s`;
}

async function main(): Promise<void> {
  const bugs = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_BUGS;
  // A base model that answers with nothing useful, slowly: the worst case for a repair that waits on it.
  const server = await startOllamaTestServer({ generate: () => ({ text: "    pass\n", delayMs: ANSWER_MS }) });
  try {
    print(`slow model: ${ANSWER_MS} ms per answer, ${defaultConfig()["ollama.samples"] + 1} answers per hunk`);
    for (const id of bugs) {
      const builtin = await repair(id, "builtin", server.url);
      const auto = await repair(id, "auto", server.url);
      print(`${id.padEnd(20)} builtin: ${cell(builtin)}`);
      print(`${"".padEnd(20)} auto:    ${cell(auto)}`);
    }
  } finally {
    await server.close();
  }
}

await main();
