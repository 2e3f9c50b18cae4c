import type { Embedder } from "../../index/embedders/embedder.js";

/**
 * Wraps an embedder and records every text it is asked to embed, so tests can tell exactly which lines were
 * (re-)embedded. The id can be overridden to simulate a switch of embedder.
 */
export class CountingEmbedder implements Embedder {
  readonly calls: string[][] = [];
  readonly id: string;

  constructor(
    private readonly inner: Embedder,
    id?: string,
  ) {
    this.id = id ?? inner.id;
  }

  get dimension(): number {
    return this.inner.dimension;
  }

  get local(): boolean | undefined {
    return this.inner.local;
  }

  /** Every text embedded so far, in order. */
  get texts(): string[] {
    return this.calls.flat();
  }

  reset(): void {
    this.calls.length = 0;
  }

  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
    this.calls.push([...texts]);
    return this.inner.embed(texts, signal);
  }
}
