/**
 * What each model strategy spends (issue 14's closing note): every strategy alone on fixture bugs, against the
 * strict Ollama test server with a scripted chat model that always answers in the asked format but never with the
 * fix: each answer is the code it was shown plus a new, numbered comment line, so every answer is a distinct,
 * wrong candidate. That is each strategy's worst case within its budget (ollama.strategyCalls, default 6): the
 * model calls and validations it spends on a task where it cannot help. The built-in engine is off (engine
 * "ollama") and the search goes on past repairs so that every strategy runs. Prints one row per bug and strategy;
 * asserts nothing.
 *
 *   node dist/test/bench/strategies.bench.js [bug-id ...]   (default: three Python bugs and one JavaScript bug)
 */
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { silentProgress, type Logger, silentLogger } from "../../server/core/types.js";
import { resetOllamaState } from "../../server/pipeline/generate/index.js";
import { fixAllFailing } from "../../server/pipeline/repair.js";
import { bug, copyProject } from "../support/fixture-bugs.js";
import { CHAT_MODEL, startOllamaTestServer } from "../support/ollama-test-server.js";

const DEFAULT_BUGS = ["py-ttl-cache", "py-inclusive-range", "py-wrap-text", "js-pad"];
const STRATEGIES: Config["ollama.strategies"] = ["feedback", "joint", "function", "mask", "rtt"];

type Messages = ReadonlyArray<{ role: string; content: string }>;

function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** The first fenced block of a text, with the line above it (the path and line range of a region). */
function firstBlock(text: string): { header: string; lines: string[] } | undefined {
  const lines = text.split("\n");
  const open = lines.findIndex((l) => l.startsWith("```"));
  const close = lines.findIndex((l, i) => i > open && l.startsWith("```"));
  if (open < 0 || close < 0) return undefined;
  return { header: lines[open - 1] ?? "", lines: lines.slice(open + 1, close) };
}

/** A scripted model that answers every question in its format, always wrongly, never twice the same. */
function wrongModel(comment: string): (messages: Messages) => string {
  let answers = 0;
  return (messages) => {
    const user = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
    const note = `${comment} bench answer ${++answers}`;
    if (user.includes("Do not write code")) return "The function should return the expected value.";
    if (user.includes("<HOLE>")) return "None";
    const shown = firstBlock(messages.map((m) => m.content).join("\n")) ?? { header: "", lines: [""] };
    const [first = "", ...rest] = shown.lines;
    const indent = /^\s*/.exec(rest.find((l) => l.trim() !== "") ?? first)?.[0] ?? "";
    if (user.includes("SEARCH/REPLACE")) {
      const path = shown.header.replace(/ \(lines .*$/, "");
      return [path, "<<<<<<< SEARCH", first, "=======", first, `${indent}${note}`, ">>>>>>> REPLACE"].join("\n");
    }
    return ["```", first, `${indent}${note}`, ...rest, "```"].join("\n");
  };
}

async function measure(id: string, strategy: Config["ollama.strategies"][number]): Promise<string> {
  const meta = bug(id);
  const comment = meta.language === "python" ? "#" : "//";
  const model = wrongModel(comment);
  const server = await startOllamaTestServer({
    chat: (body) => model(body.messages as Messages),
    generate: () => "None",
  });
  const copy = copyProject(id);
  resetOllamaState();
  const logs: string[] = [];
  const logger: Logger = { ...silentLogger, info: (m) => logs.push(m) };
  const started = performance.now();
  try {
    await fixAllFailing({
      root: copy.dir,
      config: {
        ...defaultConfig(),
        engine: "ollama",
        "ollama.host": server.url,
        "ollama.model": CHAT_MODEL.name,
        "ollama.samples": 0,
        "ollama.strategies": [strategy],
        "index.enabled": false,
        "memory.gitHistory": false,
        "repair.workers": 1,
        "repair.maxValidations": 40,
        "repair.stopAfterPlausible": 100,
        "repair.budgetSeconds": 240,
        "test.allowRun": "always",
      },
      logger,
      progress: silentProgress,
      signal: new AbortController().signal,
    });
  } finally {
    copy.dispose();
    await server.close();
  }
  const line = logs.find((l) => l.startsWith(`strategies: ${strategy}:`)) ?? `strategies: ${strategy}: did not run`;
  const match = /(\d+) model calls, (\d+) validations/.exec(line);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const values = logs.find((l) => l.startsWith("strategies: execution values")) ?? "";
  return `| ${id} | ${meta.hunks.length} | ${strategy} | ${match?.[1] ?? "-"} | ${match?.[2] ?? "-"} | ${seconds} | ${values.replace(/ from .*$/, "")} |`;
}

const bugs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_BUGS;
print("| bug | hunks | strategy | model calls | validations | seconds | execution values |");
print("| --- | --- | --- | --- | --- | --- | --- |");
for (const id of bugs) for (const strategy of STRATEGIES) print(await measure(id, strategy));
