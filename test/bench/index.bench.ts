/**
 * Benchmark of the workspace index (npm run bench:index): indexes a large corpus nobody on the team wrote — by
 * default the JavaScript/TypeScript sources under this package's node_modules — with the built-in embedder, then
 * measures single-file re-indexing and retrieval. Prints figures; asserts nothing.
 *
 *   node dist/test/bench/index.bench.js [corpus-folder]
 *
 * The index lives in a temporary folder that is deleted afterwards.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { packageRoot } from "../../grammars/paths.js";
import { IgnoreRules } from "../../index/ignore-rules.js";
import { extractLines } from "../../index/lines.js";
import { walkWorkspace, type WalkedFile } from "../../index/walk.js";
import { WorkspaceIndex } from "../../index/workspace-index.js";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import type { Logger } from "../../server/core/types.js";
import { makeTempDir, removeTempDir } from "../support/temp.js";

const UPDATE_SAMPLES = 100;
const RETRIEVAL_SAMPLES = 200;
const WARM_UP_QUERIES = 10;

function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** Tracks peak resident memory: sampled, and from the kernel's own maximum at the end. */
function rssTracker(): { peak(): number; stop(): void } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 25);
  return {
    peak: () => Math.max(peak, process.resourceUsage().maxRSS * 1024),
    stop: () => clearInterval(timer),
  };
}

/** Every n-th file of moderate size, so samples spread over the corpus deterministically. */
function sampleFiles(files: WalkedFile[], count: number): WalkedFile[] {
  const moderate = files.filter((f) => f.size >= 1_000 && f.size <= 60_000);
  const step = Math.max(1, Math.floor(moderate.length / count));
  const picked: WalkedFile[] = [];
  for (let i = 0; i < moderate.length && picked.length < count; i += step) {
    const file = moderate[i];
    if (file) picked.push(file);
  }
  return picked;
}

async function main(): Promise<void> {
  const corpus = process.argv[2] ?? join(packageRoot(), "node_modules");
  const scratch = makeTempDir("repair-ls-bench-index-");
  const warnings: string[] = [];
  const logger: Logger = {
    error: (m) => void warnings.push(`error: ${m}`),
    warn: (m) => void warnings.push(`warn: ${m}`),
    info: () => {},
    debug: () => {},
  };
  // The corpus is node_modules itself, so nothing is excluded but version control and the index.
  const config: Config = {
    ...defaultConfig(),
    "index.path": join(scratch, "index"),
    "index.exclude": [".git", ".repair-ls"],
  };
  const rss = rssTracker();
  let index: WorkspaceIndex | undefined;
  try {
    print(`# Workspace index benchmark`);
    print(`corpus: ${corpus}`);
    print(`index:  ${config["index.path"]} (temporary)`);
    print(`node ${process.version}, ${process.platform}-${process.arch}, builtin embedder`);
    print();

    const openStarted = performance.now();
    index = await WorkspaceIndex.open({ root: corpus, config, logger });
    const openMs = performance.now() - openStarted;

    let lastShown = -1;
    const result = await index.indexAll((done, total) => {
      const tenth = Math.floor((done / Math.max(1, total)) * 10);
      if (tenth !== lastShown) {
        lastShown = tenth;
        process.stderr.write(`  indexing: ${done}/${total} files\n`);
      }
    });
    const stats = await index.stats();
    const indexedPeak = rss.peak();

    print(`## Bulk indexing`);
    print(`files walked:            ${result.files} (skipped ${JSON.stringify(result.skipped)})`);
    print(`files indexed:           ${result.indexedFiles}`);
    print(`source lines:            ${result.sourceLines}`);
    print(`indexed lines (rows):    ${result.rows}`);
    print(`open:                    ${ms(openMs)}`);
    print(`walk -> last commit:     ${result.seconds.toFixed(1)} s`);
    print(
      `source lines/s:          ${Math.round(result.sourceLines / result.seconds)} (end to end, excluding index builds)`,
    );
    print(`indexed lines/s:         ${Math.round(result.rows / result.seconds)}`);
    print(
      `index builds + optimize: ${result.maintenanceSeconds.toFixed(1)} s (${stats.indexes.join(", ")}; the vector index in a child process)`,
    );
    print(
      `source lines/s incl. builds: ${Math.round(result.sourceLines / (result.seconds + result.maintenanceSeconds))}`,
    );
    print(`index size on disk:      ${mb(stats.diskBytes)}`);
    print(`peak RSS after indexing: ${mb(indexedPeak)}`);
    print();

    // Samples for updates and retrieval: files the index holds, with their text.
    const walked = await walkWorkspace(corpus, {
      rules: new IgnoreRules(corpus, config["index.exclude"]),
      maxFileBytes: config["index.maxFileBytes"],
    });
    const samples: { file: WalkedFile; text: string }[] = [];
    for (const file of sampleFiles(walked, UPDATE_SAMPLES)) {
      const text = await readFile(file.absPath, "utf8").catch(() => undefined);
      if (text !== undefined && !text.includes("\u0000")) samples.push({ file, text });
    }

    const updateTimes: number[] = [];
    for (const [i, sample] of samples.entries()) {
      sample.text = `${sample.text}\nconst benchMarker${i} = computeBenchValue(${i});\n`;
      const started = performance.now();
      await index.updateFile(sample.file.absPath, sample.text);
      updateTimes.push(performance.now() - started);
    }
    print(`## Single-file re-index (buffer text, ${updateTimes.length} files of 1-60 KB)`);
    print(
      `p50: ${ms(percentile(updateTimes, 50))}   p95: ${ms(percentile(updateTimes, 95))}   max: ${ms(Math.max(...updateTimes))}`,
    );
    // The updates made an optimize due; let it run (it waits for 2 s of quiet) so that retrieval is timed in the
    // steady state rather than beside a compaction.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const flushStarted = performance.now();
    await index.flush();
    print(`(then waited 2.5 s + ${ms(performance.now() - flushStarted)} for the optimize the updates made due)`);
    print();

    // Hunks: a meaningful line from the middle of each sampled file.
    const hunks: { file: string; startLine: number; endLine: number; text: string }[] = [];
    for (const sample of samples) {
      const { lines } = await extractLines(sample.text, sample.file.language);
      for (const pick of [0.3, 0.7]) {
        const line = lines[Math.floor(lines.length * pick)];
        if (line)
          hunks.push({ file: sample.file.absPath, startLine: line.line, endLine: line.line + 1, text: sample.text });
      }
    }
    // Hunks are visited file by file, so the second hunk of a file finds its parse cached, as a repair task's
    // repeated queries on one file do; the first pays for parsing the file.
    const timeRetrieval = async (hybrid: boolean): Promise<{ times: number[]; returned: number }> => {
      const times: number[] = [];
      let returned = 0;
      const count = Math.min(RETRIEVAL_SAMPLES, hunks.length);
      for (let i = 0; i < count + WARM_UP_QUERIES; i++) {
        const hunk = hunks[(i + count - WARM_UP_QUERIES) % count];
        if (!hunk || !index) continue;
        const started = performance.now();
        const found = await index.retrieveForHunk(hunk, hunk.text, { hybrid });
        if (i >= WARM_UP_QUERIES) {
          times.push(performance.now() - started);
          returned += found.length;
        }
      }
      return { times, returned };
    };
    for (const hybrid of [false, true]) {
      const { times, returned } = await timeRetrieval(hybrid);
      print(
        `## retrieveForHunk, ${hybrid ? "hybrid (vector + full text)" : "vector only"} (${times.length} hunks, ${result.rows} rows)`,
      );
      print(
        `p50: ${ms(percentile(times, 50))}   p95: ${ms(percentile(times, 95))}   lines returned per hunk: ${(returned / Math.max(1, times.length)).toFixed(1)}`,
      );
      print();
    }
    const similarTimes: number[] = [];
    for (const hunk of hunks.slice(0, 100)) {
      const query = hunk.text.split("\n")[hunk.startLine] ?? "";
      const started = performance.now();
      await index.similarLines(query, { excludeFile: hunk.file });
      similarTimes.push(performance.now() - started);
    }
    print(`## similarLines (${similarTimes.length} queries)`);
    print(`p50: ${ms(percentile(similarTimes, 50))}   p95: ${ms(percentile(similarTimes, 95))}`);
    print();

    const final = await index.stats();
    print(`## Totals`);
    print(`index size on disk (end): ${mb(final.diskBytes)}`);
    print(`peak RSS (whole run):     ${mb(rss.peak())}`);
    if (warnings.length > 0) {
      print(`warnings (${warnings.length}):`);
      for (const w of warnings.slice(0, 10)) print(`  ${w}`);
    }
  } finally {
    rss.stop();
    await index?.close();
    removeTempDir(scratch);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `index benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
