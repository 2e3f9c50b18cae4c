import { resolveOllamaHost } from "../../server/core/ollama-host.js";
import type { Config } from "../../server/core/config-schema.js";
import type { Logger, ProgressSink } from "../../server/core/types.js";
import { BuiltinEmbedder } from "./builtin.js";
import type { Embedder } from "./embedder.js";
import { OllamaEmbedder, classifyOllamaError } from "./ollama.js";

export interface ResolvedEmbedder {
  readonly embedder: Embedder;
  /** Set when the configured embedder could not be used: the message the user was shown. */
  readonly fallbackReason?: string;
}

/**
 * The embedder the configuration asks for. When it asks for Ollama and Ollama cannot embed (not running, model not
 * pulled, too slow, bad answers), the user is told once what to run and the built-in embedder is used instead, so
 * indexing never waits on a model that is not there.
 */
export async function resolveEmbedder(
  config: Config,
  logger: Logger,
  progress: ProgressSink,
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): Promise<ResolvedEmbedder> {
  if (config["index.embedder"] === "builtin") return { embedder: new BuiltinEmbedder() };
  const options = {
    host: resolveOllamaHost(config["ollama.host"], env),
    model: config["index.embeddingModel"],
    requestTimeoutMs: config["ollama.requestTimeoutMs"],
    keepAlive: config["ollama.keepAlive"],
  };
  try {
    const embedder = await OllamaEmbedder.connect(options, signal);
    logger.info(`embedding with Ollama model ${options.model} at ${options.host} (dimension ${embedder.dimension})`);
    return { embedder };
  } catch (error) {
    if (signal?.aborted) throw error;
    const reason = `${classifyOllamaError(error, options).message} Indexing uses the built-in embedder meanwhile.`;
    logger.warn(`${reason}`);
    progress.warn(reason);
    return { embedder: new BuiltinEmbedder(), fallbackReason: reason };
  }
}
