import { createServer } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BUILTIN_DIMENSION, BuiltinEmbedder } from "../../index/embedders/builtin.js";
import { dot } from "../../index/embedders/embedder.js";
import { OLLAMA_EMBED_BATCH, OllamaEmbedder, OllamaEmbedderError } from "../../index/embedders/ollama.js";
import { resolveEmbedder } from "../../index/embedders/resolve.js";
import { defaultConfig, type Config } from "../../server/core/config-schema.js";
import type { Logger, ProgressSink } from "../../server/core/types.js";
import {
  EMBED_MODEL,
  fakeEmbedding,
  startOllamaTestServer,
  type OllamaTestServer,
} from "../support/ollama-test-server.js";

function similarity(vectors: Float32Array, i: number, j: number): number {
  const d = BUILTIN_DIMENSION;
  return dot(vectors.subarray(i * d, (i + 1) * d), vectors, j * d);
}

describe("builtin embedder", () => {
  const embedder = new BuiltinEmbedder();

  it("is deterministic and returns unit vectors of the fixed dimension", async () => {
    const texts = ["const x = foo(bar);", "return a + b;", ""];
    const first = await embedder.embed(texts);
    const second = await new BuiltinEmbedder().embed(texts);
    expect(embedder.dimension).toBe(256);
    expect(first.length).toBe(3 * 256);
    expect(Array.from(first)).toEqual(Array.from(second));
    for (let i = 0; i < texts.length; i++) expect(similarity(first, i, i)).toBeCloseTo(1, 5);
  });

  it("ranks near-duplicates and lines sharing identifiers above unrelated lines", async () => {
    const lines = [
      "if (index <= items.length) {", // 0: query
      "if (index < items.length) {", // 1: near-duplicate
      "throw new Error('bad state');", // 2: unrelated
      "const userName = getUserName(user);", // 3
      "user_name = get_user_name(user)", // 4: same words, other naming convention
      "total += price * quantity", // 5: unrelated
    ];
    const v = await embedder.embed(lines);
    expect(similarity(v, 0, 1)).toBeGreaterThan(0.9);
    expect(similarity(v, 0, 1)).toBeGreaterThan(similarity(v, 0, 2) + 0.5);
    expect(similarity(v, 3, 4)).toBeGreaterThan(0.6);
    expect(similarity(v, 3, 4)).toBeGreaterThan(similarity(v, 3, 5) + 0.4);
  });

  it("splits camelCase, snake_case and acronyms into shared parts", async () => {
    const v = await embedder.embed(["parseHTTPResponse(data)", "parse_http_response(data)", "renderWidget(data)"]);
    expect(similarity(v, 0, 1)).toBeGreaterThan(similarity(v, 0, 2) + 0.2);
  });
});

/** A loopback port with nothing listening: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Recorded {
  readonly logs: string[];
  readonly warnings: string[];
  readonly logger: Logger;
  readonly progress: ProgressSink;
}

function recorder(): Recorded {
  const logs: string[] = [];
  const warnings: string[] = [];
  const log = (m: string): void => void logs.push(m);
  return {
    logs,
    warnings,
    logger: { error: log, warn: log, info: log, debug: () => {} },
    progress: { report: () => {}, warn: (m) => void warnings.push(m) },
  };
}

function ollamaConfig(host: string, overrides: Partial<Config> = {}): Config {
  return {
    ...defaultConfig(),
    "index.embedder": "ollama",
    "ollama.host": host,
    "index.embeddingModel": EMBED_MODEL.name,
    ...overrides,
  };
}

describe("ollama embedder", () => {
  let server: OllamaTestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("discovers the dimension from the first answer and embeds in batches through /api/embed", async () => {
    server = await startOllamaTestServer({ embedDimension: 48 });
    const embedder = await OllamaEmbedder.connect({
      host: server.url,
      model: EMBED_MODEL.name,
      requestTimeoutMs: 5000,
      keepAlive: "5m",
    });
    expect(embedder.dimension).toBe(48);
    expect(embedder.id).toBe(`ollama:${EMBED_MODEL.name}@${EMBED_MODEL.digest}`);
    const texts = Array.from({ length: OLLAMA_EMBED_BATCH + 6 }, (_, i) => `line number ${i}`);
    const vectors = await embedder.embed(texts);
    expect(vectors.length).toBe(texts.length * 48);
    const embedRequests = server.requests.filter((r) => r.path === "/api/embed");
    // One probe, then two batches.
    expect(embedRequests.map((r) => (r.body.input as unknown[]).length)).toEqual([1, OLLAMA_EMBED_BATCH, 6]);
    expect(embedRequests[1]?.body).toMatchObject({ model: EMBED_MODEL.name, truncate: true, keep_alive: "5m" });
    // The vectors are the server's, in order (the test server's are already unit length).
    const expected = fakeEmbedding("line number 3", 48);
    expect(Array.from(vectors.subarray(3 * 48, 4 * 48)).map((x) => x.toFixed(5))).toEqual(
      expected.map((x) => x.toFixed(5)),
    );
  });

  it("is chosen by resolveEmbedder when the host answers, with OLLAMA_HOST read as the ollama CLI does", async () => {
    server = await startOllamaTestServer({ embedDimension: 32 });
    const rec = recorder();
    const hostWithoutScheme = server.url.replace("http://", "");
    const resolved = await resolveEmbedder(ollamaConfig(""), rec.logger, rec.progress, {
      OLLAMA_HOST: hostWithoutScheme,
    });
    expect(resolved.embedder.id).toBe(`ollama:${EMBED_MODEL.name}@${EMBED_MODEL.digest}`);
    expect(resolved.embedder.dimension).toBe(32);
    expect(resolved.fallbackReason).toBeUndefined();
    expect(rec.warnings).toEqual([]);
  });

  it("falls back to builtin with one message naming `ollama serve` when the host is down", async () => {
    const port = await closedPort();
    const rec = recorder();
    const started = Date.now();
    const resolved = await resolveEmbedder(ollamaConfig(`http://127.0.0.1:${port}`), rec.logger, rec.progress);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(resolved.embedder.id).toBe(new BuiltinEmbedder().id);
    expect(rec.warnings).toHaveLength(1);
    expect(rec.warnings[0]).toContain("ollama serve");
    expect(rec.warnings[0]).toContain(`127.0.0.1:${port}`);
  });

  it("falls back with a message naming `ollama pull <model>` when the model is missing", async () => {
    server = await startOllamaTestServer({ models: [] });
    const rec = recorder();
    const resolved = await resolveEmbedder(
      ollamaConfig(server.url, { "index.embeddingModel": "all-minilm" }),
      rec.logger,
      rec.progress,
    );
    expect(resolved.embedder.id).toBe(new BuiltinEmbedder().id);
    expect(rec.warnings).toHaveLength(1);
    expect(rec.warnings[0]).toContain("ollama pull all-minilm");
  });

  it("gives up after the request timeout instead of hanging", async () => {
    server = await startOllamaTestServer({
      override: (path) => (path === "/api/embed" ? { delayMs: 3000, json: {} } : undefined),
    });
    const rec = recorder();
    const started = Date.now();
    const resolved = await resolveEmbedder(
      ollamaConfig(server.url, { "ollama.requestTimeoutMs": 200 }),
      rec.logger,
      rec.progress,
    );
    expect(Date.now() - started).toBeLessThan(2500);
    expect(resolved.embedder.id).toBe(new BuiltinEmbedder().id);
    expect(rec.warnings[0]).toContain("200 ms");
  });

  it("rejects malformed answers with a classified error", async () => {
    server = await startOllamaTestServer({
      override: (path) => (path === "/api/embed" ? { json: { embeddings: [[1, "x"]] } } : undefined),
    });
    const failure = await OllamaEmbedder.connect({
      host: server.url,
      model: EMBED_MODEL.name,
      requestTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OllamaEmbedderError);
    expect((failure as OllamaEmbedderError).kind).toBe("bad-answer");
  });

  it("turns a non-JSON error body into a message without the client printing to stdout", async () => {
    server = await startOllamaTestServer({
      override: (path) => (path === "/api/embed" ? { status: 500, raw: "upstream exploded" } : undefined),
    });
    // The ollama client reports non-JSON error bodies with console.log, which would corrupt the LSP stream.
    const printed = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const failure = await OllamaEmbedder.connect({
        host: server.url,
        model: EMBED_MODEL.name,
        requestTimeoutMs: 2000,
      }).catch((e: unknown) => e);
      expect((failure as OllamaEmbedderError).message).toContain("upstream exploded");
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });
});
