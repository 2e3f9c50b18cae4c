import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OllamaEmbedder } from "../../index/embedders/ollama.js";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import { resetOllamaState } from "../../server/pipeline/generate/index.js";
import { ollamaAvailability } from "../../server/pipeline/generate/ollama/host-state.js";
import { OllamaGenerator } from "../../server/pipeline/generate/ollama/ollama-generator.js";
import { streamAnswer } from "../../server/pipeline/generate/ollama/stream-answer.js";
import { silentLogger, type FailureEvidence } from "../../server/core/types.js";
import {
  BASE_MODEL,
  EMBED_MODEL,
  startOllamaTestServer,
  type OllamaTestServer,
} from "../support/ollama-test-server.js";
import { hunkContext } from "./hunk-fixture.js";

/**
 * The contract between repair-ls and an Ollama server: what the production code relies on, checked end to end.
 *
 * Against a real Ollama: set REPAIR_LS_OLLAMA_CONTRACT_HOST (e.g. http://127.0.0.1:11434) and
 * REPAIR_LS_OLLAMA_CONTRACT_MODEL (a pulled code model, e.g. qwen2.5-coder:1.5b-base), and optionally
 * REPAIR_LS_OLLAMA_CONTRACT_EMBED_MODEL (e.g. nomic-embed-text). Without them the same suite runs against the
 * strict test server, so it always asserts something and never leaves a skipped test behind.
 */
const REAL_HOST = process.env.REPAIR_LS_OLLAMA_CONTRACT_HOST ?? "";
const REAL_MODEL = process.env.REPAIR_LS_OLLAMA_CONTRACT_MODEL ?? "";
const REAL_EMBED_MODEL = process.env.REPAIR_LS_OLLAMA_CONTRACT_EMBED_MODEL ?? "";
const real = REAL_HOST !== "" && REAL_MODEL !== "";
/** A real model loads and answers in minutes on a CPU; the strict server in milliseconds. */
const TEST_TIMEOUT_MS = real ? 600_000 : 60_000;

const SOURCE = `def count_below(xs, limit):
    n = 0
    for x in xs:
        if x <= limit:
            n += 1
    return n
`;
const EVIDENCE: FailureEvidence = {
  failingTests: [{ name: "test_count_below", message: "assert count_below([1, 2, 3], 3) == 2", frames: [] }],
  diagnostics: [],
};

interface Target {
  readonly host: string;
  readonly model: string;
  readonly embedModel: string;
}

let server: OllamaTestServer | undefined;
let target: Target;

beforeAll(async () => {
  if (real) {
    target = { host: REAL_HOST, model: REAL_MODEL, embedModel: REAL_EMBED_MODEL };
    process.stderr.write(`Ollama contract: running against ${REAL_HOST} with ${REAL_MODEL}\n`);
    return;
  }
  process.stderr.write(
    "Ollama contract: REPAIR_LS_OLLAMA_CONTRACT_HOST and REPAIR_LS_OLLAMA_CONTRACT_MODEL are not set, so the " +
      "contract runs against the strict test server instead of a real Ollama.\n",
  );
  // A base model's realistic answer: the fix, the suffix repeated, then the end of the file and another one.
  server = await startOllamaTestServer({
    generate: () => "        if x < limit:\n            n += 1\n    return n\n<|endoftext|>def unrelated():\n",
  });
  target = { host: server.url, model: BASE_MODEL.name, embedModel: EMBED_MODEL.name };
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  resetOllamaState();
});

function config(overrides: Partial<Config> = {}): Config {
  return {
    ...defaultConfig(),
    "ollama.host": target.host,
    "ollama.model": target.model,
    "ollama.samples": 2,
    "ollama.requestTimeoutMs": real ? 300_000 : 10_000,
    "ollama.taskTimeoutMs": real ? 550_000 : 30_000,
    ...overrides,
  };
}

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(new URL(path, target.host), { method: "POST", body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("Ollama contract", () => {
  it(
    "lists the model and describes it",
    async () => {
      const availability = await ollamaAvailability(target.host, target.model, 10_000, new AbortController().signal);
      expect(availability.ok).toBe(true);
      if (availability.ok) expect(availability.info.contextTokens).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'loads the model on an empty prompt (done_reason "load") and refuses keep_alive numbers sent as strings',
    async () => {
      const warm = await post("/api/generate", { model: target.model, prompt: "", keep_alive: "30m", stream: false });
      expect(warm.status).toBe(200);
      expect(warm.json.done_reason).toBe("load");
      const refused = await post("/api/generate", {
        model: target.model,
        prompt: "x",
        keep_alive: "30",
        stream: false,
      });
      expect(refused.status).toBe(400);
      expect(String(refused.json.error)).toContain("missing unit");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'streams an answer cut at num_predict with done_reason "length"',
    async () => {
      const answer = await streamAnswer(
        target.host,
        {
          endpoint: "generate",
          body: {
            model: target.model,
            prompt: "def fibonacci(n):\n",
            raw: true,
            think: false,
            options: { num_predict: 2, temperature: 0 },
          },
        },
        AbortSignal.timeout(TEST_TIMEOUT_MS - 1_000),
        () => undefined,
      );
      expect(answer?.doneReason).toBe("length");
      expect(answer?.promptTokens).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "answers 404 naming the model for a model that is not pulled",
    async () => {
      const missing = await post("/api/generate", { model: "repair-ls-no-such-model:0b", prompt: "x", stream: false });
      expect(missing.status).toBe(404);
      expect(String(missing.json.error)).toContain("not found");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "gives candidates for a real hunk through the production generator, without a failure",
    async () => {
      const context = await hunkContext("python", SOURCE, { first: "if x <= limit:" });
      const warnings: string[] = [];
      const generator = new OllamaGenerator({
        config: config(),
        logger: silentLogger,
        progress: { report() {}, warn: (m) => warnings.push(m) },
      });
      const outcome = await generator.run(context, EVIDENCE, new AbortController().signal);
      expect(warnings).toEqual([]);
      expect(outcome.failure).toBeUndefined();
      expect(outcome.candidates.length).toBeGreaterThan(0);
      // Whatever the model wrote, no candidate carries control tokens or the next file.
      for (const candidate of outcome.candidates) expect(candidate.text).not.toMatch(/<\|[a-z_]+\|>|<｜/);
    },
    TEST_TIMEOUT_MS,
  );

  // The embedding contract needs an embedding model; against a real host it is checked only when one is named.
  if (!real || REAL_EMBED_MODEL !== "") {
    it(
      "embeds lines through /api/embed with the embedding model",
      async () => {
        const embedder = await OllamaEmbedder.connect({
          host: target.host,
          model: target.embedModel,
          requestTimeoutMs: TEST_TIMEOUT_MS - 1_000,
          keepAlive: "30m",
        });
        const vectors = await embedder.embed(["if x <= limit:", "return n"]);
        expect(embedder.dimension).toBeGreaterThan(0);
        expect(vectors.length).toBe(2 * embedder.dimension);
      },
      TEST_TIMEOUT_MS,
    );
  }
});
