import { Ollama } from "ollama";
import { keepAliveValue } from "../../server/core/ollama-keep-alive.js";
import { boundedResponse, ResponseTooLargeError } from "../../server/net/bounded-response.js";
import { normaliseRows, type Embedder } from "./embedder.js";

/** Lines per /api/embed request: large enough to amortise HTTP, small enough to stay within one request timeout. */
export const OLLAMA_EMBED_BATCH = 64;

export interface OllamaEmbedderOptions {
  /** Normalised URL, e.g. from resolveOllamaHost. */
  readonly host: string;
  readonly model: string;
  readonly requestTimeoutMs: number;
  readonly keepAlive?: string;
}

export type OllamaFailureKind = "unreachable" | "model-missing" | "timeout" | "bad-answer";

/** Why Ollama cannot embed, with a message that tells the user what to run. */
export class OllamaEmbedderError extends Error {
  constructor(
    readonly kind: OllamaFailureKind,
    message: string,
  ) {
    super(message);
    this.name = "OllamaEmbedderError";
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    return code ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** Turns whatever the client threw into an OllamaEmbedderError naming the command that fixes it. */
export function classifyOllamaError(error: unknown, options: OllamaEmbedderOptions): OllamaEmbedderError {
  if (error instanceof OllamaEmbedderError) return error;
  const { host, model } = options;
  const name = (error as { name?: unknown } | undefined)?.name;
  const status = (error as { status_code?: unknown } | undefined)?.status_code;
  const message = describe(error);
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (error instanceof ResponseTooLargeError || cause instanceof ResponseTooLargeError) {
    return new OllamaEmbedderError("bad-answer", `Ollama at ${host} sent an oversized embedding answer: ${message}`);
  }
  if (name === "TimeoutError") {
    return new OllamaEmbedderError(
      "timeout",
      `Ollama at ${host} did not answer an embedding request within ${options.requestTimeoutMs} ms (ollama.requestTimeoutMs); check that \`ollama serve\` is healthy.`,
    );
  }
  if (status === 404 || /not found|try pulling/i.test(message)) {
    return new OllamaEmbedderError(
      "model-missing",
      `The embedding model "${model}" is not available on Ollama at ${host}: run \`ollama pull ${model}\`.`,
    );
  }
  if (name === "ResponseError" || typeof status === "number") {
    return new OllamaEmbedderError("bad-answer", `Ollama at ${host} refused to embed with "${model}": ${message}`);
  }
  if (error instanceof TypeError || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|fetch failed/i.test(message)) {
    return new OllamaEmbedderError(
      "unreachable",
      `Ollama is not reachable at ${host} (${message}): start it with \`ollama serve\`, or set ollama.host / OLLAMA_HOST.`,
    );
  }
  return new OllamaEmbedderError("bad-answer", `Ollama at ${host} gave an unusable embedding answer: ${message}`);
}

/**
 * A fetch that gives up after the request timeout or when the caller's signal aborts, that bounds the body it
 * reads (a host answering with hundreds of megabytes fails the request instead of filling memory), and that turns
 * a non-JSON error body into JSON: the ollama client prints non-JSON error bodies with console.log, and stdout
 * carries LSP.
 */
function guardedFetch(timeoutMs: number, signal: AbortSignal | undefined): typeof fetch {
  return async (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (signal) signals.push(signal);
    if (init?.signal) signals.push(init.signal);
    const response = await boundedResponse(await fetch(input, { ...init, signal: AbortSignal.any(signals) }));
    if (response.ok || response.headers.get("content-type")?.includes("application/json")) return response;
    const text = await response.text();
    return new Response(JSON.stringify({ error: text || `HTTP ${response.status}` }), {
      status: response.status,
      statusText: response.statusText,
      headers: { "content-type": "application/json" },
    });
  };
}

/** Embeds through Ollama's /api/embed in batches. Create it with connect(), which learns the dimension. */
export class OllamaEmbedder implements Embedder {
  readonly id: string;

  private constructor(
    private readonly options: OllamaEmbedderOptions,
    readonly dimension: number,
    digest: string | undefined,
  ) {
    // The digest names the weights: a model pulled again under the same name embeds into another space, and its
    // vectors must not be compared with the old ones (the index rebuilds when the id changes).
    this.id = `ollama:${options.model}${digest ? `@${digest.slice(0, 12)}` : ""}`;
  }

  /** Checks that the host answers and the model is pulled by embedding a probe; rejects with OllamaEmbedderError. */
  static async connect(options: OllamaEmbedderOptions, signal?: AbortSignal): Promise<OllamaEmbedder> {
    const vectors = await requestEmbeddings(options, ["dimension probe"], undefined, signal);
    const dimension = vectors[0]?.length ?? 0;
    if (dimension === 0)
      throw new OllamaEmbedderError("bad-answer", `Ollama returned an empty embedding for "${options.model}".`);
    return new OllamaEmbedder(options, dimension, await modelDigest(options, signal));
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dimension);
    for (let start = 0; start < texts.length; start += OLLAMA_EMBED_BATCH) {
      signal?.throwIfAborted();
      const batch = texts.slice(start, start + OLLAMA_EMBED_BATCH);
      const vectors = await requestEmbeddings(this.options, batch, this.dimension, signal);
      vectors.forEach((vector, i) => out.set(vector, (start + i) * this.dimension));
    }
    return normaliseRows(out, this.dimension);
  }
}

/** The model's digest from /api/tags (the implicit `:latest` tag allowed); undefined when the listing fails. */
async function modelDigest(
  options: OllamaEmbedderOptions,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const wanted = (options.model.includes(":") ? options.model : `${options.model}:latest`).toLowerCase();
  try {
    const client = new Ollama({ host: options.host, fetch: guardedFetch(options.requestTimeoutMs, signal) });
    const { models } = await client.list();
    const found = models.find((m) => {
      const name = m.name.toLowerCase();
      return name === wanted || (!name.includes(":") && `${name}:latest` === wanted);
    });
    return typeof found?.digest === "string" && found.digest !== "" ? found.digest : undefined;
  } catch {
    // The embedding probe worked: a listing that does not is no reason to refuse the embedder.
    return undefined;
  }
}

async function requestEmbeddings(
  options: OllamaEmbedderOptions,
  input: readonly string[],
  dimension: number | undefined,
  signal: AbortSignal | undefined,
): Promise<number[][]> {
  const client = new Ollama({ host: options.host, fetch: guardedFetch(options.requestTimeoutMs, signal) });
  let embeddings: unknown;
  try {
    const response = await client.embed({
      model: options.model,
      input: [...input],
      truncate: true,
      ...(options.keepAlive ? { keep_alive: keepAliveValue(options.keepAlive) } : {}),
    });
    embeddings = response.embeddings;
  } catch (error) {
    // The caller's own cancellation is not an Ollama problem: let it through unchanged.
    if (signal?.aborted) throw error;
    throw classifyOllamaError(error, options);
  }
  if (!Array.isArray(embeddings) || embeddings.length !== input.length) {
    throw new OllamaEmbedderError(
      "bad-answer",
      `Ollama returned ${Array.isArray(embeddings) ? embeddings.length : "no"} embeddings for ${input.length} inputs.`,
    );
  }
  for (const vector of embeddings as unknown[]) {
    const ok =
      Array.isArray(vector) &&
      vector.length > 0 &&
      (dimension === undefined || vector.length === dimension) &&
      vector.every((x) => typeof x === "number" && Number.isFinite(x));
    if (!ok)
      throw new OllamaEmbedderError("bad-answer", `Ollama returned a malformed embedding for "${options.model}".`);
  }
  return embeddings as number[][];
}
