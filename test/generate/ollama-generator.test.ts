import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createServer } from "node:net";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import type { GenerateOptions } from "../../server/pipeline/candidates.js";
import { generateCandidates, resetOllamaState } from "../../server/pipeline/generate/index.js";
import { RECHECK_AFTER_FAILURE_MS } from "../../server/pipeline/generate/ollama/host-state.js";
import { OllamaGenerator } from "../../server/pipeline/generate/ollama/ollama-generator.js";
import { silentLogger, type Candidate, type FailureEvidence, type HunkContext } from "../../server/core/types.js";
import { BASE_MODEL, CHAT_MODEL, startOllamaTestServer, type OllamaTestServer } from "../support/ollama-test-server.js";
import { hunkContext } from "./hunk-fixture.js";

const SOURCE = `def count_below(xs, limit):
    n = 0
    for x in xs:
        if x <= limit:
            n += 1
    return n
`;
const FIX = "        if x < limit:";

const EVIDENCE: FailureEvidence = {
  failingTests: [
    {
      name: "test_count_below",
      message: "AssertionError: assert 3 == 2",
      frames: [{ file: "/work/project/example.py", line: 3, function: "count_below" }],
    },
  ],
  diagnostics: [],
};

interface Recorder {
  readonly warnings: string[];
  readonly reports: string[];
}

function recorder(): Recorder {
  return { warnings: [], reports: [] };
}

function options(config: Config, rec: Recorder, signal = new AbortController().signal): GenerateOptions {
  return {
    config,
    logger: silentLogger,
    progress: { report: (m) => rec.reports.push(m), warn: (m) => rec.warnings.push(m) },
    signal,
  };
}

function configFor(host: string, overrides: Partial<Config> = {}): Config {
  return {
    ...defaultConfig(),
    engine: "auto",
    "ollama.host": host,
    "ollama.model": BASE_MODEL.name,
    "ollama.samples": 2,
    "ollama.concurrency": 2,
    "ollama.requestTimeoutMs": 5_000,
    "ollama.taskTimeoutMs": 10_000,
    ...overrides,
  };
}

/** A loopback port nobody listens on: bound, then released. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function texts(candidates: readonly Candidate[]): string[] {
  return candidates.map((c) => c.text);
}

/** Requests that ask for an answer: the empty-prompt warm-up that loads the model is not one. */
function answerRequests(path: "/api/generate" | "/api/chat"): Array<Record<string, unknown>> {
  return server!.requests
    .filter((r) => r.path === path && r.body.prompt !== "" && (path === "/api/chat" || r.body.prompt !== undefined))
    .map((r) => r.body);
}

/** Whether a request is one that asks for an answer (not the warm-up), for overrides. */
function asksForAnswer(path: string, body: Record<string, unknown>): boolean {
  return path === "/api/chat" || (path === "/api/generate" && typeof body.prompt === "string" && body.prompt !== "");
}

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

describe("Ollama fill-in-the-middle", () => {
  it("checks tags and show once, loads the model, then sends one greedy and N seeded raw FIM requests", async () => {
    server = await startOllamaTestServer({ generate: () => FIX + "\n" });
    const rec = recorder();
    const config = configFor(server.url, { engine: "ollama" });
    const candidates = await generateCandidates(context, EVIDENCE, options(config, rec));

    const paths = server.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths.slice(0, 4)).toEqual(["GET /api/tags", "POST /api/show", "GET /api/ps", "POST /api/generate"]);
    expect(server.requests[1]!.body).toEqual({ model: BASE_MODEL.name });
    // The warm-up: an empty prompt loads the model under its own long deadline.
    expect(server.requests[3]!.body).toMatchObject({ model: BASE_MODEL.name, prompt: "", keep_alive: "30m" });
    const generates = answerRequests("/api/generate");
    expect(generates).toHaveLength(3);
    for (const body of generates) {
      expect(Object.keys(body).sort()).toEqual(["keep_alive", "model", "options", "prompt", "raw", "stream", "think"]);
      expect(body).toMatchObject({ model: BASE_MODEL.name, raw: true, stream: true, think: false, keep_alive: "30m" });
      const opts = body.options as Record<string, unknown>;
      expect(Object.keys(opts).sort()).toEqual(["num_predict", "seed", "stop", "temperature"]);
      expect(opts.num_predict).toBe(config["ollama.numPredict"]);
      expect(opts.stop).toEqual(
        expect.arrayContaining(["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|endoftext|>"]),
      );
      // A base model gets its family's FIM tokens around the code before and after the hole.
      const prompt = body.prompt as string;
      expect(prompt.startsWith("<|fim_prefix|>")).toBe(true);
      expect(prompt).toContain("AssertionError: assert 3 == 2");
      expect(prompt).toContain("    for x in xs:\n        # Python code with a bug");
      expect(prompt).toContain("        #           if x <= limit:\n");
      expect(prompt.endsWith("\n<|fim_suffix|>            n += 1\n    return n\n<|fim_middle|>")).toBe(true);
    }
    const seeds = generates.map((b) => (b.options as { seed: number }).seed);
    expect(new Set(seeds).size).toBe(3);
    const temperatures = generates.map((b) => (b.options as { temperature: number }).temperature).sort();
    expect(temperatures).toEqual([0, config["ollama.temperature"], config["ollama.temperature"]]);

    const fix = candidates.find((c) => c.text === FIX);
    expect(fix?.generator).toBe("ollama-fim");
    expect(fix?.editKind).toBe("model");
    expect(rec.warnings).toEqual([]);

    // A second hunk reuses what the first learned: no second /api/tags or /api/show, and no second load.
    await generateCandidates(context, EVIDENCE, options(config, rec));
    expect(server.requests.filter((r) => r.path === "/api/tags")).toHaveLength(1);
    expect(server.requests.filter((r) => r.path === "/api/show")).toHaveLength(1);
    expect(server.loads.get(BASE_MODEL.name)).toBe(1);
  });

  it("trims a repeated suffix from a base model's answer and cuts what follows <|endoftext|>", async () => {
    // Base models repeat the code after the hole, then end the file and start another one.
    server = await startOllamaTestServer({
      generate: () => "        if x < limit:\n            n += 1\n    return n\n<|endoftext|>import os\nprint(1)\n",
    });
    const candidates = await generateCandidates(context, EVIDENCE, options(configFor(server.url), recorder()));
    const model = candidates.filter((c) => c.generator === "ollama-fim").map((c) => c.text);
    expect(model).toContain(FIX);
    expect(model.some((t) => t.includes("import os"))).toBe(false);
  });

  it("keeps the deletion candidate for model output and ranks model and template candidates together", async () => {
    server = await startOllamaTestServer({ generate: () => FIX });
    const candidates = await generateCandidates(context, EVIDENCE, options(configFor(server.url), recorder()));
    const generators = new Set(candidates.map((c) => c.generator));
    expect(generators).toContain("ollama-fim");
    expect(generators).toContain("template");
    // All three answers agree, so the model's candidate leads; the deletion candidate stays in the list.
    expect(candidates[0]!.text).toBe(FIX);
    expect(texts(candidates)).toContain("");
    const scores = candidates.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });
});

describe("Ollama chat", () => {
  it("sends the marked function and the evidence, and parses a fenced answer wrapped in prose", async () => {
    server = await startOllamaTestServer({
      chat: () => "Here is the corrected code:\n\n```python\nif x < limit:\n```\n\nThis compares strictly.",
    });
    const rec = recorder();
    const config = configFor(server.url, { engine: "ollama", "ollama.model": CHAT_MODEL.name });
    const candidates = await generateCandidates(context, EVIDENCE, options(config, rec));

    const chats = answerRequests("/api/chat");
    expect(chats).toHaveLength(3);
    for (const body of chats) {
      expect(Object.keys(body).sort()).toEqual(["keep_alive", "messages", "model", "options", "stream", "think"]);
      expect(body).toMatchObject({ stream: true, think: false });
      const opts = body.options as Record<string, unknown>;
      expect(Object.keys(opts).sort()).toEqual(["num_predict", "seed", "temperature"]);
      const messages = body.messages as Array<{ role: string; content: string }>;
      expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
      const user = messages[1]!.content;
      expect(user).toContain("Language: Python");
      expect(user).toContain("        # BUG START\n        if x <= limit:\n        # BUG END");
      expect(user).toContain("def count_below(xs, limit):");
      expect(user).toContain("AssertionError: assert 3 == 2");
      expect(user).toContain("```python");
    }
    expect(new Set(chats.map((b) => (b.options as { seed: number }).seed)).size).toBe(3);
    expect(answerRequests("/api/generate")).toEqual([]);
    const fix = candidates.find((c) => c.text === FIX);
    expect(fix?.generator).toBe("ollama-chat");
  });

  it('uses chat when "ollama.mode" forces it even for a fill-in-the-middle model', async () => {
    server = await startOllamaTestServer({ chat: () => "```python\nif x < limit:\n```" });
    const config = configFor(server.url, { "ollama.mode": "chat" });
    const candidates = await generateCandidates(context, EVIDENCE, options(config, recorder()));
    expect(answerRequests("/api/chat").length).toBeGreaterThan(0);
    expect(answerRequests("/api/generate")).toEqual([]);
    expect(candidates.find((c) => c.text === FIX)?.generator).toBe("ollama-chat");
  });
});

describe("Ollama failures fall back to the built-in engine", () => {
  it("warns once when the host is down and still returns template candidates", async () => {
    const host = await closedPort();
    const rec = recorder();
    for (const engine of ["auto", "ollama"] as const) {
      const candidates = await generateCandidates(context, EVIDENCE, options(configFor(host, { engine }), rec));
      expect(texts(candidates)).toContain(FIX);
      expect(candidates.every((c) => c.generator === "template" || c.generator === "donor")).toBe(true);
    }
    expect(rec.warnings).toHaveLength(1);
    expect(rec.warnings[0]).toContain(`Ollama is not reachable at ${host}`);
    expect(rec.warnings[0]).toContain("ollama serve");
  });

  it("re-checks a failed host only after the failure period", async () => {
    let tagsUp = false;
    server = await startOllamaTestServer({
      override: (path) => (path === "/api/tags" && !tagsUp ? { status: 500, json: { error: "starting" } } : undefined),
      generate: () => FIX,
    });
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const rec = recorder();
      const config = configFor(server.url, { "ollama.samples": 0 });
      await generateCandidates(context, EVIDENCE, options(config, rec));
      tagsUp = true;
      await generateCandidates(context, EVIDENCE, options(config, rec));
      // Within the failure period the host is not asked again.
      expect(server.requests.filter((r) => r.path === "/api/tags")).toHaveLength(1);
      expect(answerRequests("/api/generate")).toEqual([]);
      vi.setSystemTime(Date.now() + RECHECK_AFTER_FAILURE_MS + 1);
      const candidates = await generateCandidates(context, EVIDENCE, options(config, rec));
      expect(server.requests.filter((r) => r.path === "/api/tags")).toHaveLength(2);
      expect(candidates.find((c) => c.text === FIX)?.generator).toBe("ollama-fim");
      expect(rec.warnings).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("tells the user to pull a model that /api/tags does not list", async () => {
    server = await startOllamaTestServer({ models: [CHAT_MODEL] });
    const rec = recorder();
    const candidates = await generateCandidates(context, EVIDENCE, options(configFor(server.url), rec));
    expect(texts(candidates)).toContain(FIX);
    expect(rec.warnings).toEqual([expect.stringContaining(`ollama pull ${BASE_MODEL.name}`)]);
    expect(answerRequests("/api/generate")).toEqual([]);
  });

  it("tells the user to pull the model when Ollama answers 404 for it", async () => {
    server = await startOllamaTestServer({
      override: (path, body) =>
        asksForAnswer(path, body)
          ? { status: 404, json: { error: `model "${BASE_MODEL.name}" not found, try pulling it first` } }
          : undefined,
    });
    const rec = recorder();
    const candidates = await generateCandidates(context, EVIDENCE, options(configFor(server.url), rec));
    expect(texts(candidates)).toContain(FIX);
    expect(rec.warnings).toEqual([expect.stringContaining(`ollama pull ${BASE_MODEL.name}`)]);
  });

  it("aborts a request that exceeds ollama.requestTimeoutMs promptly", async () => {
    server = await startOllamaTestServer({ generate: () => ({ delayMs: 5_000, json: { response: FIX, done: true } }) });
    const rec = recorder();
    const config = configFor(server.url, { "ollama.requestTimeoutMs": 300 });
    const started = Date.now();
    const candidates = await generateCandidates(context, EVIDENCE, options(config, rec));
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(texts(candidates)).toContain(FIX);
    expect(candidates.some((c) => c.generator === "ollama-fim")).toBe(false);
    expect(rec.warnings).toEqual([
      expect.stringContaining("did not answer in time: no first token within 0.3 s (ollama.requestTimeoutMs)"),
    ]);
  });

  it("stops at ollama.taskTimeoutMs even when each request is within its own timeout", async () => {
    server = await startOllamaTestServer({ generate: () => ({ delayMs: 3_000, json: { response: FIX, done: true } }) });
    const config = configFor(server.url, { "ollama.requestTimeoutMs": 10_000, "ollama.taskTimeoutMs": 400 });
    const started = Date.now();
    const candidates = await generateCandidates(context, EVIDENCE, options(config, recorder()));
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(texts(candidates)).toContain(FIX);
  });

  it("reports a server that does not speak the Ollama protocol", async () => {
    server = await startOllamaTestServer({ generate: () => ({ raw: "<html>502 Bad Gateway</html>" }) });
    const rec = recorder();
    const candidates = await generateCandidates(context, EVIDENCE, options(configFor(server.url), rec));
    expect(texts(candidates)).toContain(FIX);
    expect(candidates.some((c) => c.generator === "ollama-fim")).toBe(false);
    expect(rec.warnings).toEqual([expect.stringContaining("did not answer like Ollama")]);
  });

  it("reports garbage from /api/tags the same way, without throwing", async () => {
    server = await startOllamaTestServer({
      override: (path) => (path === "/api/tags" ? { raw: "not json at all" } : undefined),
    });
    const rec = recorder();
    const candidates = await generateCandidates(context, EVIDENCE, options(configFor(server.url), rec));
    expect(texts(candidates)).toContain(FIX);
    expect(rec.warnings).toEqual([expect.stringContaining("did not answer like Ollama")]);
  });

  it("drops answers with nothing usable in them but keeps the others", async () => {
    let call = 0;
    server = await startOllamaTestServer({
      chat: () => (call++ === 0 ? "I am sorry, I cannot help with that request." : "```python\nif x < limit:\n```"),
    });
    const generator = new OllamaGenerator({
      config: configFor(server.url, { "ollama.model": CHAT_MODEL.name }),
      logger: silentLogger,
      progress: { report() {}, warn() {} },
    });
    const outcome = await generator.run(context, EVIDENCE, new AbortController().signal);
    expect(outcome.failure).toBeUndefined();
    // The deletion candidate first (MultiMend's order), then the answer two of three samples agree on.
    expect(texts(outcome.candidates)).toEqual(["", FIX]);
    expect(outcome.candidates[1]!.description).toContain("2/3");
  });

  it("retries a transient 503 and then succeeds", async () => {
    let calls = 0;
    server = await startOllamaTestServer({
      override: (path, body) =>
        asksForAnswer(path, body) && calls++ === 0 ? { status: 503, json: { error: "server busy" } } : undefined,
      generate: () => FIX,
    });
    const rec = recorder();
    const config = configFor(server.url, { "ollama.samples": 0 });
    const candidates = await generateCandidates(context, EVIDENCE, options(config, rec));
    expect(answerRequests("/api/generate")).toHaveLength(2);
    expect(candidates.find((c) => c.text === FIX)?.generator).toBe("ollama-fim");
    expect(rec.warnings).toEqual([]);
  });

  it("does not retry a 400", async () => {
    server = await startOllamaTestServer({
      override: (path, body) =>
        asksForAnswer(path, body) ? { status: 400, json: { error: "bad request" } } : undefined,
    });
    const rec = recorder();
    const config = configFor(server.url, { "ollama.samples": 0 });
    await generateCandidates(context, EVIDENCE, options(config, rec));
    expect(answerRequests("/api/generate")).toHaveLength(1);
    expect(rec.warnings).toEqual([expect.stringContaining("bad request")]);
  });
});

describe("Ollama cancellation and concurrency", () => {
  it("returns promptly with nothing when the caller cancels, without a warning", async () => {
    server = await startOllamaTestServer({ generate: () => ({ delayMs: 5_000, json: { response: FIX, done: true } }) });
    const rec = recorder();
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    const candidates = await generateCandidates(
      context,
      EVIDENCE,
      options(configFor(server.url), rec, controller.signal),
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(candidates).toEqual([]);
    expect(rec.warnings).toEqual([]);
  });

  it("keeps at most ollama.concurrency requests in flight", async () => {
    server = await startOllamaTestServer({ generate: () => ({ text: FIX, delayMs: 100 }) });
    await generateCandidates(context, EVIDENCE, options(configFor(server.url, { "ollama.samples": 4 }), recorder()));
    expect(answerRequests("/api/generate")).toHaveLength(5);
    expect(server.maxOpen.get(BASE_MODEL.name)).toBe(2);
    server.requests.length = 0;
    server.maxOpen.clear();
    const single = configFor(server.url, { "ollama.samples": 4, "ollama.concurrency": 1 });
    await generateCandidates(context, EVIDENCE, options(single, recorder()));
    expect(server.maxOpen.get(BASE_MODEL.name)).toBe(1);
  });

  it("reads OLLAMA_HOST when ollama.host is empty", async () => {
    server = await startOllamaTestServer({ generate: () => FIX });
    const generator = new OllamaGenerator({
      config: configFor("", { "ollama.samples": 0 }),
      logger: silentLogger,
      progress: { report() {}, warn() {} },
      env: { OLLAMA_HOST: server.url },
    });
    const outcome = await generator.run(context, EVIDENCE, new AbortController().signal);
    expect(outcome.failure).toBeUndefined();
    expect(texts(outcome.candidates)).toContain(FIX);
  });
});
