import { keepAliveValue } from "../../../core/ollama-keep-alive.js";
import { resolveOllamaHost } from "../../../core/ollama-host.js";
import type { Config } from "../../../core/config-schema.js";
import { type Logger, type ProgressSink, moduleLogger } from "../../../core/types.js";
import { ensureModelLoaded, ollamaAvailability, recordSuccess } from "./host-state.js";
import type { ModelInfo } from "./model-info.js";
import { limiterFor } from "./ollama-generator.js";
import { fimFormat, nonEmptySuffix } from "./prompt-style.js";
import { fimStopTokens } from "./stop-tokens.js";
import { streamAnswer, streamDeadlines, type AnswerRequest } from "./stream-answer.js";
import { errorMessage } from "../../../core/error-message.js";

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

/** How a fill-in-the-middle request reaches the model (REFERENCE §8: a suffix only where the template uses one). */
export type FillRoute = "raw-fim" | "template-fim" | "chat";

/**
 * Requests of the repair strategies to the configured Ollama model: multi-turn chat, and fill-in-the-middle for
 * masked holes. The same host, model, keep-alive, concurrency limit and deadlines as the per-hunk generator, over
 * the same streaming routes. Opened once per repair task; a host that is down gives no session.
 */
export class ChatSession {
  private constructor(
    private readonly options: ChatSessionOptions,
    private readonly host: string,
    private readonly info: ModelInfo,
  ) {}

  get model(): string {
    return this.info.name;
  }

  /** Whether the model follows instructions in chat (a base model only completes text). */
  get canChat(): boolean {
    return !this.info.base;
  }

  /**
   * How holes are filled: raw FIM tokens for a base model of a known family, the template's suffix for a model
   * whose template renders one, otherwise a chat question.
   */
  get fillRoute(): FillRoute {
    if (this.info.base && fimFormat(this.info)) return "raw-fim";
    if (this.info.supportsSuffix) return "template-fim";
    return "chat";
  }

  /** A session when the model is reachable and loaded; undefined (and a log line) otherwise. */
  static async open(options: ChatSessionOptions, signal: AbortSignal): Promise<ChatSession | undefined> {
    const { config } = options;
    const logger = moduleLogger(options.logger, "strategies");
    const host = resolveOllamaHost(config["ollama.host"], options.env);
    const availability = await ollamaAvailability(
      host,
      config["ollama.model"],
      config["ollama.requestTimeoutMs"],
      signal,
    );
    if (!availability.ok) {
      logger.info(`no model session (${availability.kind}: ${availability.detail})`);
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
      logger.info(`the model did not load (${loaded.detail})`);
      return undefined;
    }
    return new ChatSession(options, host, availability.info);
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
    const { config } = this.options;
    return this.send(
      {
        endpoint: "chat",
        body: {
          model: this.info.name,
          messages: messages.map((m) => ({ role: m.role, content: m.content })),
          options: this.sampling(config["ollama.numPredict"] * 4, seed),
          think: false,
          keep_alive: keepAliveValue(config["ollama.keepAlive"]),
        },
      },
      budget,
      signal,
    );
  }

  /**
   * Fills one hole between `prefix` and `suffix` (fill-in-the-middle through /api/generate), or, for a model whose
   * template has no suffix and no known FIM tokens, asks in chat for the hole's text alone. Stops at the end of the
   * line: a hole is part of one line.
   */
  async fill(
    prefix: string,
    suffix: string,
    budget: CallBudget,
    signal: AbortSignal,
    seed = 0,
  ): Promise<string | undefined> {
    const { config } = this.options;
    const keepAlive = keepAliveValue(config["ollama.keepAlive"]);
    const stop = [...fimStopTokens(this.info), "\n"];
    const options = { ...this.sampling(config["ollama.numPredict"], seed), stop };
    const route = this.fillRoute;
    if (route === "chat") {
      const hole = "<HOLE>";
      const answer = await this.ask(
        [
          {
            role: "system",
            content: "You fill in one hole in code. Answer with the text of the hole only, on one line, no code fence.",
          },
          { role: "user", content: `${prefix}${hole}${suffix}\n\nWhat goes in place of ${hole}?` },
        ],
        budget,
        signal,
        seed,
      );
      return answer?.replace(/^\s*`+\w*\s*|`+\s*$/g, "").split("\n")[0];
    }
    const format = fimFormat(this.info);
    const body =
      route === "raw-fim" && format
        ? { model: this.info.name, prompt: format.wrap(prefix, suffix), raw: true, options, think: false }
        : { model: this.info.name, prompt: prefix, suffix: nonEmptySuffix(suffix), raw: false, options, think: false };
    return this.send({ endpoint: "generate", body: { ...body, keep_alive: keepAlive } }, budget, signal);
  }

  private sampling(numPredict: number, seed: number): Record<string, unknown> {
    return {
      num_predict: numPredict,
      temperature: seed === 0 ? 0 : this.options.config["ollama.temperature"],
      seed,
    };
  }

  private async send(request: AnswerRequest, budget: CallBudget, signal: AbortSignal): Promise<string | undefined> {
    const { config } = this.options;
    const logger = moduleLogger(this.options.logger, "strategies");
    if (signal.aborted || !budget.take()) return undefined;
    const limiter = limiterFor(this.host, config["ollama.concurrency"]);
    return limiter.run(signal, async () => {
      const deadlines = streamDeadlines(signal, config["ollama.requestTimeoutMs"]);
      try {
        const answer = await streamAnswer(this.host, request, deadlines.signal, () => deadlines.onFirstChunk());
        if (answer) recordSuccess(this.host);
        return answer?.text;
      } catch (error) {
        if (!signal.aborted) logger.info(`a model request failed: ${deadlines.fired() ?? errorText(error)}`);
        return undefined;
      } finally {
        deadlines.dispose();
      }
    });
  }
}

function errorText(error: unknown): string {
  return errorMessage(error);
}
