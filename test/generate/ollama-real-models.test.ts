import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultConfig, SETTINGS, type Config } from "../../server/core/config-schema.js";
import { generateCandidates, resetOllamaState } from "../../server/pipeline/generate/index.js";
import { OllamaGenerator, type OllamaOutcome } from "../../server/pipeline/generate/ollama/ollama-generator.js";
import { silentLogger, type Candidate, type FailureEvidence, type HunkContext } from "../../server/core/types.js";
import {
  BASE_MODEL,
  CHAT_MODEL,
  DEEPSEEK_MODEL,
  FIM_MODEL,
  THINKING_MODEL,
  startOllamaTestServer,
  type OllamaTestServer,
  type RenderedPrompt,
  type TestModel,
} from "../support/ollama-test-server.js";
import { hunkContext } from "./hunk-fixture.js";

/**
 * The defects a real model exposes (issue 12, section 2), each shown against the strict test server, which
 * behaves as Ollama does: the old client failed every one of these.
 */
const SOURCE = `def count_below(xs, limit):
    n = 0
    for x in xs:
        if x <= limit:
            n += 1
    return n
`;
const FIX = "        if x < limit:";
const EVIDENCE: FailureEvidence = {
  failingTests: [{ name: "test_count_below", message: "AssertionError: assert 3 == 2", frames: [] }],
  diagnostics: [],
};

let server: OllamaTestServer | undefined;
let context: HunkContext;

beforeEach(async () => {
  resetOllamaState();
  context = await hunkContext("python", SOURCE, { first: "if x <= limit:" });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Run {
  readonly outcome: OllamaOutcome;
  readonly warnings: string[];
  readonly reports: string[];
  /** Warnings written to the log (not shown to the user). */
  readonly logged: string[];
}

async function run(model: TestModel, overrides: Partial<Config> = {}, hunk: HunkContext = context): Promise<Run> {
  const warnings: string[] = [];
  const reports: string[] = [];
  const logged: string[] = [];
  const generator = new OllamaGenerator({
    config: {
      ...defaultConfig(),
      "ollama.host": server!.url,
      "ollama.model": model.name,
      "ollama.samples": 2,
      "ollama.requestTimeoutMs": 5_000,
      "ollama.taskTimeoutMs": 20_000,
      ...overrides,
    },
    logger: { ...silentLogger, warn: (m) => logged.push(m) },
    progress: { report: (m) => reports.push(m), warn: (m) => warnings.push(m) },
  });
  return { outcome: await generator.run(hunk, EVIDENCE, new AbortController().signal), warnings, reports, logged };
}

function answerBodies(): Array<Record<string, unknown>> {
  return server!.requests
    .filter((r) => r.path === "/api/chat" || (r.path === "/api/generate" && r.body.prompt !== ""))
    .map((r) => r.body);
}

const texts = (outcome: OllamaOutcome): string[] => outcome.candidates.map((c) => c.text);

describe("1. thinking models", () => {
  it("sends think: false, so a thinking model answers within num_predict", async () => {
    server = await startOllamaTestServer({
      models: [THINKING_MODEL],
      chat: () => ({
        thinking: "The comparison includes the limit, but the test expects values strictly below it. ".repeat(20),
        text: "```python\nif x < limit:\n```",
      }),
    });
    const { outcome } = await run(THINKING_MODEL, { "ollama.numPredict": 64 });
    expect(answerBodies().every((b) => b.think === false)).toBe(true);
    expect(texts(outcome)).toContain(FIX);
  });

  it("never counts an empty chat answer as a vote for deleting the hunk", async () => {
    server = await startOllamaTestServer({ models: [CHAT_MODEL], chat: () => "" });
    const { outcome } = await run(CHAT_MODEL);
    const deletion = outcome.candidates.find((c) => c.text === "");
    expect(deletion?.description).toBe("delete the lines");
    expect(outcome.candidates.filter((c) => c.editKind === "model")).toEqual([]);
  });
});

describe("2. fill-in-the-middle at the end of a file", () => {
  it("never sends an empty suffix, so the template's FIM branch is used", async () => {
    const rendered: RenderedPrompt[] = [];
    server = await startOllamaTestServer({
      models: [FIM_MODEL],
      generate: (_body, view) => {
        rendered.push(view.rendered);
        return "    return n + 1";
      },
    });
    const atEnd = await hunkContext("python", "def f(n):\n    return n", { first: "return n" });
    const { outcome } = await run(FIM_MODEL, { "ollama.mode": "fim" }, atEnd);
    expect(answerBodies().map((b) => b.suffix)).toEqual(["\n", "\n", "\n"]);
    expect(rendered.map((r) => r.kind)).toEqual(["fim", "fim", "fim"]);
    expect(texts(outcome)).toContain("    return n + 1");
  });
});

describe("3. base models fill in raw with their family's tokens; instruct models chat", () => {
  it("sends DeepSeek-Coder's own FIM tokens raw to a DeepSeek base model", async () => {
    const deepseekBase: TestModel = {
      name: "deepseek-coder:6.7b-base",
      template: "{{ .Prompt }}",
      contextLength: 16384,
      family: "llama",
    };
    server = await startOllamaTestServer({ models: [deepseekBase], generate: () => FIX + "\n" });
    const { outcome } = await run(deepseekBase);
    for (const body of answerBodies()) {
      expect(body.raw).toBe(true);
      expect(body.suffix).toBeUndefined();
      expect(String(body.prompt)).toMatch(/^<｜fim▁begin｜>[\s\S]*<｜fim▁hole｜>[\s\S]*<｜fim▁end｜>$/);
    }
    expect(texts(outcome)).toContain(FIX);
  });

  it("asks an instruct model in chat by default, even when its template takes a suffix", async () => {
    for (const model of [FIM_MODEL, DEEPSEEK_MODEL]) {
      resetOllamaState();
      server = await startOllamaTestServer({
        models: [model],
        chat: () => "Here is the fix:\n\n```python\nif x < limit:\n```\n\nThe comparison must be strict.",
      });
      const { outcome } = await run(model);
      expect(server.requests.filter((r) => r.path === "/api/chat")).toHaveLength(3);
      expect(outcome.candidates.find((c) => c.text === FIX)?.generator).toBe("ollama-chat");
      await server.close();
    }
    server = undefined;
  });
});

describe("4. indentation", () => {
  it("keeps a fill-in-the-middle answer's absolute indentation (an indentation fix stays one)", async () => {
    const source = "def total(xs):\n    n = 0\n    for x in xs:\n        n += x\n        return n\n";
    const hunk = await hunkContext("python", source, { first: "        return n" });
    server = await startOllamaTestServer({ generate: () => "    return n\n" });
    const { outcome } = await run(BASE_MODEL, {}, hunk);
    expect(texts(outcome)).toContain("    return n");
  });

  it("anchors a chat answer's indentation on the context it echoed, so a dedent fix survives", async () => {
    // The model echoed the loop at the file's own indentation, then wrote `return n` one level out of the loop.
    const source = "def total(xs):\n    n = 0\n    for x in xs:\n        n += x\n        return n\n";
    const hunk = await hunkContext("python", source, { first: "        return n" });
    server = await startOllamaTestServer({
      models: [CHAT_MODEL],
      chat: () => "```python\n    for x in xs:\n        n += x\n    return n\n```",
    });
    const { outcome } = await run(CHAT_MODEL, {}, hunk);
    expect(texts(outcome)).toContain("    return n");
  });
});

describe("5. validation never waits on the model", () => {
  it("returns the template candidates at once and hands the model's over when they arrive", async () => {
    const modelFix = "        if x < limit and x is not None:";
    let answered = 0;
    server = await startOllamaTestServer({
      generate: () => {
        answered++;
        return { text: modelFix, delayMs: 1_000 };
      },
    });
    let late: Promise<Candidate[]> | undefined;
    const now = await generateCandidates(context, EVIDENCE, {
      config: {
        ...defaultConfig(),
        engine: "auto",
        "ollama.host": server.url,
        "ollama.model": BASE_MODEL.name,
        "ollama.samples": 2,
      },
      logger: silentLogger,
      progress: { report() {}, warn() {} },
      signal: new AbortController().signal,
      onLateCandidates: (promise) => {
        late = promise;
      },
    });
    // The slow model has not finished one answer, yet the template engine's fix is ready for validation.
    expect(now.map((c) => c.text)).toContain(FIX);
    expect(now.every((c) => !c.generator.startsWith("ollama"))).toBe(true);
    const arrived = await late!;
    expect(answered).toBe(3);
    expect(arrived.find((c) => c.text === modelFix)?.generator).toBe("ollama-fim");
    // Nothing the template engine already proposed comes twice.
    expect(arrived.some((c) => now.some((n) => n.text === c.text))).toBe(false);
  });
});

describe("6. cold loads", () => {
  it("loads the model first under its own deadline, says so, and never aborts the load", async () => {
    server = await startOllamaTestServer({ models: [{ ...BASE_MODEL, loadDelayMs: 1_200 }], generate: () => FIX });
    // Each request may wait 400 ms for its first token: far less than the load takes.
    const { outcome, reports } = await run(BASE_MODEL, { "ollama.requestTimeoutMs": 400 });
    expect(server.loads.get(BASE_MODEL.name)).toBe(1);
    expect(reports.some((r) => r.includes("Loading"))).toBe(true);
    expect(texts(outcome)).toContain(FIX);
  });

  it("gives the rest of a streamed answer its own deadline after the first token, and names it", async () => {
    server = await startOllamaTestServer({
      generate: () => ({ text: "if x < limit and x is not None and x != limit - 1000:\n", tokenDelayMs: 60 }),
    });
    const { outcome, warnings } = await run(BASE_MODEL, { "ollama.requestTimeoutMs": 300, "ollama.samples": 0 });
    expect(outcome.failure?.kind).toBe("timeout");
    expect(warnings[0]).toContain("did not finish within 0.3 s of its first token (ollama.requestTimeoutMs)");
  });
});

describe("7. concurrency", () => {
  it("defaults to one request at a time, as Ollama runs them", () => {
    expect(defaultConfig()["ollama.concurrency"]).toBe(1);
  });

  it("does not cancel the other requests when one times out", async () => {
    let call = 0;
    server = await startOllamaTestServer({
      generate: () => (call++ === 0 ? { text: FIX, delayMs: 3_000 } : FIX),
    });
    const { outcome } = await run(BASE_MODEL, { "ollama.requestTimeoutMs": 300 });
    expect(outcome.failure).toBeUndefined();
    expect(texts(outcome)).toContain(FIX);
  });
});

describe("8. prompt size", () => {
  it("detects from prompt_eval_count that Ollama cut the prompt to fit the model's context", async () => {
    const small: TestModel = { ...BASE_MODEL, parameters: "num_ctx 400" };
    const body = Array.from({ length: 60 }, (_, i) => `    total_${i} = compute_value(xs, ${i}) + offset`).join("\n");
    const source = `def count_below(xs, limit):\n${body}\n    n = 0\n    for x in xs:\n        if x <= limit:\n            n += 1\n    return n\n`;
    const hunk = await hunkContext("python", source, { first: "if x <= limit:" });
    server = await startOllamaTestServer({ models: [small], generate: () => FIX });
    const { logged } = await run(small, { "ollama.samples": 0 }, hunk);
    const prompt = String(answerBodies()[0]!.prompt);
    // The cap leaves the code nearest the hole and the comment right above it.
    expect(prompt).toContain("    for x in xs:\n        # Python code with a bug");
    expect(logged).toEqual([expect.stringContaining("the prompt filled qwen2.5-coder:7b-base's context")]);
  });
});

describe("9. keep_alive", () => {
  it("sends a number of seconds as a number, which Ollama accepts", async () => {
    server = await startOllamaTestServer({ generate: () => FIX });
    const { outcome } = await run(BASE_MODEL, { "ollama.keepAlive": "-1" });
    expect(server.requests.filter((r) => r.path === "/api/generate").map((r) => r.body.keep_alive)).toEqual([
      -1, -1, -1, -1,
    ]);
    expect(texts(outcome)).toContain(FIX);
  });

  it("accepts Go durations and seconds in the setting, and refuses anything else", () => {
    const schema = SETTINGS["ollama.keepAlive"].schema;
    for (const ok of ["30m", "1h30m", "0", "-1", "300"]) expect(schema.safeParse(ok).success).toBe(true);
    for (const bad of ["30 minutes", "forever", "", "5d"]) expect(schema.safeParse(bad).success).toBe(false);
  });
});

describe("10. answers cut short or wrapped in reasoning", () => {
  it('drops the half-written last line of an answer cut at num_predict (done_reason "length")', async () => {
    server = await startOllamaTestServer({
      generate: () =>
        "        if x < limit:\n            n += 1\n        elif x == limit and not skip_equal_values_when_counting:\n",
    });
    const { outcome } = await run(BASE_MODEL, { "ollama.numPredict": 20 });
    const model = outcome.candidates.filter((c) => c.editKind === "model").map((c) => c.text);
    expect(model).toEqual([FIX]);
  });

  it("strips <think> blocks a model writes into its answer", async () => {
    server = await startOllamaTestServer({
      models: [CHAT_MODEL],
      chat: () =>
        "<think>\nMaybe widen it:\n```python\nif x <= limit + 1:\n```\nNo: the bound must be strict.\n</think>\n```python\nif x < limit:\n```",
    });
    const { outcome } = await run(CHAT_MODEL);
    expect(outcome.candidates.filter((c) => c.editKind === "model").map((c) => c.text)).toEqual([FIX]);
  });

  it("diffs a whole-function echo against the function and drops one that changes lines outside the hunk", async () => {
    server = await startOllamaTestServer({
      models: [CHAT_MODEL],
      chat: () =>
        "```python\ndef count_below(xs, limit):\n    n = 1\n    for x in xs:\n        if x < limit:\n            n += 1\n    return n\n```",
    });
    const { outcome } = await run(CHAT_MODEL);
    // Nothing nested: the echo is not a replacement for the one buggy line.
    expect(outcome.candidates.filter((c) => c.editKind === "model")).toEqual([]);
  });
});

describe("11. errors by endpoint", () => {
  it("says a 404 on /api/tags is not an Ollama server or a wrong path, not a model to pull", async () => {
    server = await startOllamaTestServer({
      override: (path) => (path === "/api/tags" ? { status: 404, raw: "404 page not found" } : undefined),
    });
    const { warnings } = await run(BASE_MODEL);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("not an Ollama server, or a wrong path in ollama.host");
    expect(warnings[0]).not.toContain("ollama pull");
  });

  it("reports a load failure once, with Ollama's reason, and does not retry it", async () => {
    const reason = "model requires more system memory (9.5 GiB) than is available (3.1 GiB)";
    server = await startOllamaTestServer({ models: [{ ...BASE_MODEL, loadFailure: reason }], generate: () => FIX });
    const { outcome, warnings } = await run(BASE_MODEL);
    expect(outcome.failure?.kind).toBe("load");
    expect(warnings).toEqual([expect.stringContaining(reason)]);
    expect(server.loads.get(BASE_MODEL.name)).toBe(1);
    // The next hunk does not try to load it again within the failure period.
    await run(BASE_MODEL);
    expect(server.loads.get(BASE_MODEL.name)).toBe(1);
  });
});

describe("13. voting", () => {
  it("counts answers that differ only in comments and spacing as one vote", async () => {
    const answers = ["        if x < limit:", "        if x<limit:  # strictly below", "        if x < limit :"];
    let call = 0;
    server = await startOllamaTestServer({ generate: () => answers[call++ % answers.length]! });
    const { outcome } = await run(BASE_MODEL);
    const model = outcome.candidates.filter((c) => c.editKind === "model");
    expect(model).toHaveLength(1);
    expect(model[0]!.description).toContain("3/3");
  });
});
