import { keepAliveValue } from "../../../config/ollama-keep-alive.js";
import { resolveOllamaHost } from "../../../config/ollama-host.js";
import type { Config } from "../../../config/schema.js";
import type { Logger, ProgressSink } from "../../types.js";
import { ensureModelLoaded, ollamaAvailability, recordSuccess } from "./host-state.js";
import { limiterFor } from "./ollama-generator.js";
import { streamAnswer, streamDeadlines } from "./stream-answer.js";

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** Model calls one strategy may still make: shared by every request the strategy sends in one repair task. */
export class CallBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get spent(): number {
    return this.used;
  }

  get left(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** Takes one call from the budget; false when none is left. */
  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }
}

export interface ChatSessionOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly progress: ProgressSink;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Multi-turn chat with the configured Ollama model for the repair strategies: the same host, model, keep-alive,
 * concurrency limit and deadlines as the per-hunk generator, over the same streaming /api/chat route. Opened once
 * per repair task; a host that is down or a base model (which follows no instructions) gives no session.
 */
export class ChatSession {
  private constructor(
    private readonly options: ChatSessionOptions,
    private readonly host: string,
    readonly model: string,
  ) {}

  /** A session when the model is reachable, loaded and instruction-tuned; undefined (and a log line) otherwise. */
  static async open(options: ChatSessionOptions, signal: AbortSignal): Promise<ChatSession | undefined> {
    const { config, logger } = options;
    const host = resolveOllamaHost(config["ollama.host"], options.env);
    const availability = await ollamaAvailability(
      host,
      config["ollama.model"],
      config["ollama.requestTimeoutMs"],
      signal,
    );
    if (!availability.ok) {
      logger.info(`strategies: no model session (${availability.kind}: ${availability.detail})`);
      return undefined;
    }
    if (availability.info.base) {
      logger.info(`strategies: ${availability.info.name} is a base model; the chat strategies need an instruct model`);
      return undefined;
    }
    const loaded = await ensureModelLoaded(
      host,
      availability.info.name,
      keepAliveValue(config["ollama.keepAlive"]),
      signal,
      () => options.progress.report(`Loading ${availability.info.name} in Ollama`),
    );
    if (!loaded.ok) {
      logger.info(`strategies: the model did not load (${loaded.detail})`);
      return undefined;
    }
    return new ChatSession(options, host, availability.info.name);
  }

  /**
   * One chat turn: the model's answer to the conversation, or undefined when the budget is spent, the request
   * failed or timed out (logged), or the task was cancelled. Seed 0 at temperature 0 is the model's best answer;
   * a later seed with the configured temperature asks for a different one.
   */
  async ask(
    messages: readonly ChatMessage[],
    budget: CallBudget,
    signal: AbortSignal,
    seed = 0,
  ): Promise<string | undefined> {
    const { config, logger } = this.options;
    if (signal.aborted || !budget.take()) return undefined;
    const limiter = limiterFor(this.host, config["ollama.concurrency"]);
    return limiter.run(signal, async () => {
      const deadlines = streamDeadlines(signal, config["ollama.requestTimeoutMs"]);
      try {
        const answer = await streamAnswer(
          this.host,
          {
            endpoint: "chat",
            body: {
              model: this.model,
              messages: messages.map((m) => ({ role: m.role, content: m.content })),
              options: {
                num_predict: config["ollama.numPredict"] * 4,
                temperature: seed === 0 ? 0 : config["ollama.temperature"],
                seed,
              },
              think: false,
              keep_alive: keepAliveValue(config["ollama.keepAlive"]),
            },
          },
          deadlines.signal,
          () => deadlines.onFirstChunk(),
        );
        if (answer) recordSuccess(this.host);
        return answer?.text;
      } catch (error) {
        if (!signal.aborted) logger.info(`strategies: a chat request failed: ${deadlines.fired() ?? errorText(error)}`);
        return undefined;
      } finally {
        deadlines.dispose();
      }
    });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
