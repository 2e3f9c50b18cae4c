/**
 * Benchmark of candidate generation (part of npm run bench): the template engine on a large real file nobody on
 * the team wrote (acorn's parser, from node_modules), prompt construction on the same file, and end-to-end
 * generation against the Ollama-protocol test server at a simulated model latency. Prints figures; asserts
 * nothing.
 *
 *   node dist/test/bench/generate.bench.js [file] [latency-ms]
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { languageForPath } from "../../grammars/languages.js";
import { packageRoot } from "../../grammars/paths.js";
import { withParse } from "../../grammars/parser.js";
import { enclosingFunction } from "../../grammars/syntax.js";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { splitFile } from "../../server/core/line-text.js";
import { generateCandidates, resetOllamaState } from "../../server/pipeline/generate/index.js";
import { buildChatPrompt, buildFimPrompt } from "../../server/pipeline/generate/ollama/prompts.js";
import { templateCandidates } from "../../server/pipeline/generate/template/template-generator.js";
import { silentLogger, type FailureEvidence, type HunkContext, type ProgressSink } from "../../server/core/types.js";
import { BASE_MODEL, startOllamaTestServer } from "../support/ollama-test-server.js";

const HUNKS = 100;
const MODEL_HUNKS = 10;
const PROMPT_REPEATS = 20;
/** Large third-party sources that npm ci installs, in order of preference. */
const DEFAULT_FILES = ["acorn/dist/acorn.js", "web-streams-polyfill/dist/polyfill.js", "typescript/lib/typescript.js"];

const EVIDENCE: FailureEvidence = {
  failingTests: [{ name: "parser test", message: "AssertionError: expected 3 to equal 2", frames: [] }],
  diagnostics: [],
};

function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

/** Lines that hold code (not blank, not a comment, not a lone bracket), evenly spread over the file. */
function pickHunkLines(lines: readonly string[], count: number): number[] {
  const code = lines.flatMap((l, i) => (/[A-Za-z0-9]/.test(l) && !/^\s*(\/\/|\/?\*)/.test(l) ? [i] : []));
  const step = Math.max(1, Math.floor(code.length / count));
  return code.filter((_, i) => i % step === 0).slice(0, count);
}

async function contextsFor(path: string, text: string, count: number): Promise<HunkContext[]> {
  const language = languageForPath(path)?.id;
  if (!language) throw new Error(`no grammar for ${path}`);
  const file = splitFile(text);
  const lines = pickHunkLines(file.lines, count);
  return withParse(text, language, async (parsed) => {
    const out: HunkContext[] = [];
    for (const line of lines) {
      const fn = await enclosingFunction(parsed, { startLine: line, endLine: line + 1 });
      out.push({
        hunk: { file: path, startLine: line, endLine: line + 1 },
        language,
        fileText: text,
        buggyText: file.lines[line]!,
        enclosingFunction: fn && { name: fn.name, startLine: fn.startLine, endLine: fn.endLine, text: fn.text },
        retrieved: [],
      });
    }
    return out;
  });
}

async function benchTemplate(contexts: readonly HunkContext[]): Promise<void> {
  const first = contexts[0]!;
  const file = splitFile(first.fileText);
  // Generation alone, on one shared parse: what the engine costs per hunk once the file is parsed.
  const generationMs: number[] = [];
  let generated = 0;
  await withParse(first.fileText, first.language, async (parsed) => {
    await templateCandidates({ context: first, parsed, file, donors: [] }); // warm-up: grammar queries
    for (const context of contexts) {
      const started = performance.now();
      const candidates = await templateCandidates({ context, parsed, file, donors: [] });
      generationMs.push(performance.now() - started);
      generated += candidates.length;
    }
  });
  const generationTotal = generationMs.reduce((a, b) => a + b, 0);
  print(`template generation (shared parse): ${contexts.length} hunks, ${generated} raw candidates`);
  print(`  per hunk p50 ${ms(percentile(generationMs, 50))}, p95 ${ms(percentile(generationMs, 95))}`);
  print(`  ${Math.round((generated / generationTotal) * 1000)} raw candidates/s`);

  // The whole entry point: parse, generate, syntax-filter and cap, as the engine calls it per hunk.
  const config: Config = { ...defaultConfig(), engine: "builtin" };
  const endToEndMs: number[] = [];
  let kept = 0;
  for (const context of contexts) {
    const started = performance.now();
    const candidates = await generateCandidates(context, EVIDENCE, {
      config,
      logger: silentLogger,
      progress: { report() {}, warn() {} },
      signal: new AbortController().signal,
    });
    endToEndMs.push(performance.now() - started);
    kept += candidates.length;
  }
  const endToEndTotal = endToEndMs.reduce((a, b) => a + b, 0);
  print(`generateCandidates (builtin: parse + generate + syntax filter + cap ${config["repair.candidatesPerHunk"]}):`);
  print(`  per hunk p50 ${ms(percentile(endToEndMs, 50))}, p95 ${ms(percentile(endToEndMs, 95))}`);
  print(`  ${kept} candidates kept, ${Math.round((kept / endToEndTotal) * 1000)} filtered candidates/s`);
}

function benchPrompts(contexts: readonly HunkContext[]): void {
  for (const [name, build] of [
    ["fill-in-the-middle", buildFimPrompt],
    ["chat", buildChatPrompt],
  ] as const) {
    const times: number[] = [];
    let chars = 0;
    for (let r = 0; r < PROMPT_REPEATS; r++) {
      for (const context of contexts) {
        const started = performance.now();
        const prompt = build(context, EVIDENCE, 4096 - 256);
        times.push(performance.now() - started);
        chars += "prefix" in prompt ? prompt.prefix.length + prompt.suffix.length : prompt.messages[1]!.content.length;
      }
    }
    print(
      `${name} prompt: p50 ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))} (${Math.round(chars / times.length)} chars on average)`,
    );
  }
}

async function benchModel(contexts: readonly HunkContext[], latencyMs: number): Promise<void> {
  let answer = 0;
  const server = await startOllamaTestServer({
    generate: () => ({ delayMs: latencyMs, text: `var repaired${answer++ % 5} = 0;\n` }),
  });
  try {
    for (const engine of ["ollama", "auto"] as const) {
      resetOllamaState();
      const config: Config = { ...defaultConfig(), engine, "ollama.host": server.url, "ollama.model": BASE_MODEL.name };
      const warnings: string[] = [];
      const progress: ProgressSink = { report() {}, warn: (m) => warnings.push(m) };
      const started = performance.now();
      let model = 0;
      let total = 0;
      for (const context of contexts) {
        const candidates = await generateCandidates(context, EVIDENCE, {
          config,
          logger: silentLogger,
          progress,
          signal: new AbortController().signal,
        });
        model += candidates.filter((c) => c.generator === "ollama-fim").length;
        total += candidates.length;
      }
      const seconds = (performance.now() - started) / 1000;
      const requests = config["ollama.samples"] + 1;
      print(
        `end to end, engine ${engine}, ${latencyMs} ms model latency, ${requests} requests/hunk, concurrency ${config["ollama.concurrency"]}:`,
      );
      print(
        `  ${(seconds / contexts.length).toFixed(2)} s/hunk, ${(total / seconds).toFixed(1)} candidates/s (${(model / seconds).toFixed(1)} from the model)${warnings.length > 0 ? `; warnings: ${warnings.join(" | ")}` : ""}`,
      );
    }
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const installed = DEFAULT_FILES.map((f) => join(packageRoot(), "node_modules", f)).find((f) => existsSync(f));
  const path = process.argv[2] ?? installed;
  if (!path) throw new Error("no large source file found: pass one as the first argument");
  const latency = Number(process.argv[3] ?? 50);
  const text = readFileSync(path, "utf8");
  print(`file: ${path} (${splitFile(text).lines.length} lines)`);
  const contexts = await contextsFor(path, text, HUNKS);
  await benchTemplate(contexts);
  benchPrompts(contexts);
  await benchModel(contexts.slice(0, MODEL_HUNKS), latency);
}

await main();
