import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OllamaEmbedder, OllamaEmbedderError } from "../../index/embedders/ollama.js";
import { classifyFailure, ollamaClient } from "../../server/pipeline/generate/ollama/client.js";
import { streamAnswer } from "../../server/pipeline/generate/ollama/stream-answer.js";
import { MAX_RESPONSE_BYTES } from "../../server/net/bounded-response.js";

/**
 * Issue 13, item 13: a host answering with 256 MB must not be read into memory. The server below streams 256 MB
 * of JSON-looking bytes (never building them in memory) and counts what it managed to send before the client hung
 * up: a bounded reader stops the transfer shortly after MAX_RESPONSE_BYTES.
 */
const HUGE_BYTES = 256 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "9");

interface HugeServer {
  readonly url: string;
  /** Bytes written per request, final once the response closed. */
  readonly sent: number[];
  close(): Promise<void>;
}

let huge: HugeServer | undefined;

afterEach(async () => {
  await huge?.close();
  huge = undefined;
});

async function startHugeServer(declareLength: boolean): Promise<HugeServer> {
  const sent: number[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    const index = sent.push(0) - 1;
    res.writeHead(200, {
      "content-type": "application/json",
      ...(declareLength ? { "content-length": String(HUGE_BYTES) } : {}),
    });
    let written = 0;
    let closed = false;
    res.on("close", () => (closed = true));
    const pump = (): void => {
      while (!closed && written < HUGE_BYTES) {
        const piece = written === 0 ? Buffer.from('{"embeddings":[[') : CHUNK;
        written += piece.length;
        sent[index] = written;
        if (!res.write(piece)) return void res.once("drain", pump);
      }
      if (!closed) res.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits until the server has seen the client hang up (its byte count stops moving). */
async function settled(server: HugeServer): Promise<number> {
  let last = -1;
  for (;;) {
    const total = server.sent.reduce((a, b) => a + b, 0);
    if (total === last) return Math.max(...server.sent);
    last = total;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("bounded response bodies", () => {
  it("fails the generator's client with a clear error and stops the transfer", async () => {
    huge = await startHugeServer(false);
    const error = await ollamaClient(huge.url, new AbortController().signal)
      .list()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const failure = classifyFailure(error, { timedOut: false, cancelled: false }, "tags");
    expect(failure.kind).toBe("garbage");
    expect(failure.detail).toContain("larger than 16 MB");
    expect(await settled(huge)).toBeLessThan(MAX_RESPONSE_BYTES * 4);
  });

  it("fails a streamed answer as soon as one record is implausibly long", async () => {
    huge = await startHugeServer(false);
    const request = { endpoint: "generate" as const, body: { model: "m", prompt: "p" } };
    await expect(streamAnswer(huge.url, request, new AbortController().signal, () => undefined)).rejects.toThrow(
      /longer than 1048576 characters/,
    );
    expect(await settled(huge)).toBeLessThan(MAX_RESPONSE_BYTES * 4);
  });

  it("fails the embedder with an OllamaEmbedderError naming the limit", async () => {
    huge = await startHugeServer(false);
    const error = await OllamaEmbedder.connect({ host: huge.url, model: "m", requestTimeoutMs: 30_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OllamaEmbedderError);
    expect((error as OllamaEmbedderError).message).toContain("larger than 16 MB");
    expect(await settled(huge)).toBeLessThan(MAX_RESPONSE_BYTES * 4);
  });

  it("refuses a declared Content-Length over the limit before reading the body", async () => {
    huge = await startHugeServer(true);
    const request = { endpoint: "chat" as const, body: { model: "m", messages: [] } };
    await expect(streamAnswer(huge.url, request, new AbortController().signal, () => undefined)).rejects.toThrow(
      /larger than 16 MB/,
    );
    expect(await settled(huge)).toBeLessThan(MAX_RESPONSE_BYTES);
  });
});
