import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BuiltinEmbedder } from "../../index/embedders/builtin.js";
import type { Embedder } from "../../index/embedders/embedder.js";
import { PauseGate } from "../../index/pause-gate.js";
import { WorkspaceIndex } from "../../index/workspace-index.js";
import { defaultConfig } from "../../server/core/config-schema.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

/** A model-like embedder (not local) that counts its calls, and can be made to never answer. */
class CountingEmbedder implements Embedder {
  readonly id = "model-like";
  readonly dimension = 256;
  readonly local = false;
  calls = 0;
  hang = false;
  private readonly inner = new BuiltinEmbedder();

  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
    this.calls++;
    if (!this.hang) return this.inner.embed(texts);
    // Like fetch: an aborted signal rejects at once, and a later abort rejects the pending request.
    return new Promise((_resolve, reject) => {
      if (signal?.aborted) reject(new Error("aborted"));
      signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
  }
}

let root: string | undefined;
let index: WorkspaceIndex | undefined;
afterEach(async () => {
  await index?.close();
  index = undefined;
});

async function openWith(embedder: CountingEmbedder): Promise<WorkspaceIndex> {
  root = tempDir("repair-model-work-");
  writeFiles(root, { "a.py": "def f(x):\n    return x + 1\n\n\ndef g(y):\n    return y * 2\n" });
  index = await WorkspaceIndex.open({ root, config: defaultConfig(), embedder });
  return index;
}

describe("PauseGate", () => {
  it("waits while any pause is held, and an aborted wait rejects", async () => {
    const gate = new PauseGate();
    await gate.whenFree();
    const first = gate.pause();
    const second = gate.pause();
    let freed = false;
    const waiting = gate.whenFree().then(() => (freed = true));
    first();
    first();
    await Promise.resolve();
    expect(freed).toBe(false);
    second();
    await waiting;
    expect(freed).toBe(true);
    gate.pause();
    const controller = new AbortController();
    const aborted = gate.whenFree(controller.signal);
    controller.abort();
    await expect(aborted).rejects.toThrow();
  });
});

describe("a model embedder shared with repairs", () => {
  it("bulk indexing waits while a repair holds the model, and goes on when it ends", async () => {
    const embedder = new CountingEmbedder();
    const opened = await openWith(embedder);
    const before = embedder.calls;
    const resume = opened.modelWork.pause();
    const indexing = opened.indexAll();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(embedder.calls).toBe(before);
    resume();
    expect((await indexing).indexedFiles).toBe(1);
    expect(embedder.calls).toBeGreaterThan(before);
  });

  it("a retrieval query that the model does not answer gives up after a short deadline", async () => {
    const embedder = new CountingEmbedder();
    const opened = await openWith(embedder);
    await opened.indexAll();
    embedder.hang = true;
    const found = await opened.retrieveForHunk(
      { file: join(root!, "a.py"), startLine: 1, endLine: 2 },
      "def f(x):\n    return x + 1\n\n\ndef g(y):\n    return y * 2\n",
    );
    expect(found).toEqual([]);
  });

  it("the job's cancel signal stops a query that waits on the model", async () => {
    const embedder = new CountingEmbedder();
    const opened = await openWith(embedder);
    await opened.indexAll();
    embedder.hang = true;
    const controller = new AbortController();
    const pending = opened.similarLines("return x + 1", { signal: controller.signal });
    controller.abort();
    expect(await pending).toEqual([]);
  });
});
