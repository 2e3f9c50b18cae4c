import { resolveOllamaHost } from "../../../config/ollama-host.js";
import type { Config } from "../../../config/schema.js";
import type { Candidate, FailureEvidence, Generator, HunkContext, Logger, ProgressSink } from "../../types.js";
import { normaliseWhitespace, splitFile } from "../hunk-text.js";
import { detectIndentUnit, hunkIndent } from "../indentation.js";
import { EDIT_KIND_PRIOR } from "../template/edits.js";
import { childController, sleep, withDeadline } from "./abort.js";
import { parseAnswer, type AnswerShape } from "./answer-parser.js";
import { classifyFailure, ollamaClient, type FailureKind, type RequestFailure } from "./client.js";
import { failureMessage, ollamaAvailability, recordFailure, recordSuccess, warnOnce } from "./host-state.js";
import { Limiter } from "./limiter.js";
import type { ModelInfo } from "./model-info.js";
import { buildChatPrompt, buildFimPrompt } from "./prompts.js";
import { fimStopTokens } from "./stop-tokens.js";

/** Retries of a request that failed transiently (reset connection, 5xx, 429), with a doubling backoff. */
export const MAX_RETRIES = 2;
export const RETRY_BACKOFF_MS = 150;
/** Tokens reserved for the template's own text around the prompt. */
const TEMPLATE_OVERHEAD_TOKENS = 64;
/** Seed of the greedy request; samples use 1..N so that every request has a distinct seed. */
const GREEDY_SEED = 0;

export interface OllamaGeneratorOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly progress: ProgressSink;
  readonly env?: NodeJS.ProcessEnv;
}

export interface OllamaFailure {
  readonly kind: FailureKind;
  readonly message: string;
}

export interface OllamaOutcome {
  /** Model candidates, the deletion candidate first (as MultiMend orders them). */
  readonly candidates: Candidate[];
  /** Set when no model answer could be obtained; the message was already shown once. */
  readonly failure?: OllamaFailure;
}

interface Sample {
  readonly temperature: number;
  readonly seed: number;
}

type Reply = { readonly text: string } | { readonly failure: RequestFailure };

const limiters = new Map<string, Limiter>();

function limiterFor(host: string, limit: number): Limiter {
  let limiter = limiters.get(host);
  if (!limiter) {
    limiter = new Limiter(limit);
    limiters.set(host, limiter);
  } else limiter.setLimit(limit);
  return limiter;
}

/** The failure worth reporting when several requests failed differently: the most actionable one. */
const FAILURE_PRIORITY: readonly FailureKind[] = ["missing", "down", "garbage", "timeout", "error", "cancelled"];

/**
 * Candidates from an Ollama model: fill-in-the-middle when the model's template takes a suffix, else chat.
 * N sampled answers with distinct seeds plus one greedy answer, bounded in concurrency and time, cancelled with
 * the task. Never throws: a down, slow or confused Ollama yields no candidates and one status message.
 */
export class OllamaGenerator implements Generator {
  readonly id = "ollama";

  constructor(private readonly options: OllamaGeneratorOptions) {}

  async generate(context: HunkContext, evidence: FailureEvidence, signal: AbortSignal): Promise<Candidate[]> {
    return (await this.run(context, evidence, signal)).candidates;
  }

  async run(context: HunkContext, evidence: FailureEvidence, signal: AbortSignal): Promise<OllamaOutcome> {
    const { config } = this.options;
    const host = resolveOllamaHost(config["ollama.host"], this.options.env);
    const model = config["ollama.model"];
    const task = withDeadline(signal, config["ollama.taskTimeoutMs"]);
    try {
      const availability = await ollamaAvailability(host, model, config["ollama.requestTimeoutMs"], task.signal);
      if (!availability.ok) {
        const kind = availability.kind === "cancelled" && task.timedOut() ? "timeout" : availability.kind;
        return { candidates: [], failure: this.fail(host, model, kind, availability.detail, false) };
      }
      return await this.sampleAll(context, evidence, host, availability.info, task.signal, () => task.timedOut());
    } catch (error) {
      // Defensive: nothing above should throw, but a generator must never take the repair down with it.
      const detail = error instanceof Error ? error.message : String(error);
      this.options.logger.error(`Ollama generation failed unexpectedly: ${detail}`);
      return { candidates: [], failure: { kind: "error", message: detail } };
    } finally {
      task.dispose();
    }
  }

  private fail(host: string, model: string, kind: FailureKind, detail: string, record: boolean): OllamaFailure {
    const timeout = this.options.config["ollama.requestTimeoutMs"];
    const message = failureMessage(kind, host, model, detail, timeout);
    if (kind === "cancelled") return { kind, message };
    if (record) recordFailure(host, model, kind, detail);
    this.options.logger.warn(`${message} (${detail})`);
    warnOnce(host, model, kind, message, (m) => this.options.progress.warn(m));
    return { kind, message };
  }

  private async sampleAll(
    context: HunkContext,
    evidence: FailureEvidence,
    host: string,
    info: ModelInfo,
    taskSignal: AbortSignal,
    taskTimedOut: () => boolean,
  ): Promise<OllamaOutcome> {
    const { config, logger, progress } = this.options;
    const configured = config["ollama.mode"];
    const mode = configured === "auto" ? (info.supportsSuffix ? "fim" : "chat") : configured;
    const budget = Math.max(256, info.contextTokens - config["ollama.numPredict"] - TEMPLATE_OVERHEAD_TOKENS);
    const file = splitFile(context.fileText);
    const unit = detectIndentUnit(file.lines);
    const indent = hunkIndent(file.lines, context.hunk.startLine, context.hunk.endLine, unit);
    const fim = mode === "fim" ? buildFimPrompt(context, evidence, budget) : undefined;
    const chat = mode === "chat" ? buildChatPrompt(context, evidence, budget) : undefined;
    const prompt = fim ?? chat!;
    const shape: AnswerShape = { mode, indent, unit, before: prompt.before, after: prompt.after };
    const stop = fim ? fimStopTokens(info) : undefined;

    const samples: Sample[] = [{ temperature: 0, seed: GREEDY_SEED }];
    for (let i = 1; i <= config["ollama.samples"]; i++)
      samples.push({ temperature: config["ollama.temperature"], seed: i });
    progress.report(`Asking ${info.name} for ${samples.length} candidate${samples.length === 1 ? "" : "s"} (${mode})`);

    // One failure that is not transient stops the remaining requests: they would fail the same way.
    const halt = childController(taskSignal);
    const limiter = limiterFor(host, config["ollama.concurrency"]);
    const request = async (sample: Sample): Promise<Reply | undefined> => {
      const reply = await limiter.run(halt.controller.signal, () =>
        this.requestWithRetry(host, info.name, sample, halt.controller.signal, taskSignal, taskTimedOut, (client) =>
          fim
            ? client
                .generate({
                  model: info.name,
                  prompt: fim.prefix,
                  suffix: fim.suffix,
                  raw: false,
                  options: {
                    num_predict: config["ollama.numPredict"],
                    temperature: sample.temperature,
                    seed: sample.seed,
                    stop: stop ?? [],
                  },
                  keep_alive: config["ollama.keepAlive"],
                  stream: false,
                })
                .then((r: unknown) => (r as { response?: unknown }).response)
            : client
                .chat({
                  model: info.name,
                  messages: chat!.messages.map((m) => ({ role: m.role, content: m.content })),
                  options: {
                    num_predict: config["ollama.numPredict"],
                    temperature: sample.temperature,
                    seed: sample.seed,
                  },
                  keep_alive: config["ollama.keepAlive"],
                  stream: false,
                })
                .then((r: unknown) => (r as { message?: { content?: unknown } }).message?.content),
        ),
      );
      if (reply && "failure" in reply && reply.failure.kind !== "cancelled") halt.controller.abort();
      return reply;
    };
    let replies: Array<Reply | undefined>;
    try {
      replies = await Promise.all(samples.map(request));
    } finally {
      halt.dispose();
    }

    const answered: string[] = [];
    const failures: RequestFailure[] = [];
    replies.forEach((reply) => {
      if (!reply) return;
      if ("text" in reply) answered.push(reply.text);
      else failures.push(reply.failure);
    });
    if (answered.length === 0) {
      const failure =
        FAILURE_PRIORITY.map((k) => failures.find((f) => f.kind === k)).find((f) => f !== undefined) ??
        ({
          kind: taskTimedOut() ? "timeout" : "cancelled",
          transient: false,
          detail: "no answer",
        } satisfies RequestFailure);
      return { candidates: [], failure: this.fail(host, info.name, failure.kind, failure.detail, true) };
    }
    recordSuccess(host);
    if (failures.length > 0)
      logger.info(`Ollama: ${failures.length} of ${samples.length} requests failed (${failures[0]!.detail})`);
    return { candidates: this.toCandidates(context, answered, shape, mode, info.name) };
  }

  private async requestWithRetry(
    host: string,
    model: string,
    sample: Sample,
    haltSignal: AbortSignal,
    taskSignal: AbortSignal,
    taskTimedOut: () => boolean,
    send: (client: ReturnType<typeof ollamaClient>) => Promise<unknown>,
  ): Promise<Reply> {
    const timeoutMs = this.options.config["ollama.requestTimeoutMs"];
    for (let attempt = 0; ; attempt++) {
      const deadline = withDeadline(haltSignal, timeoutMs);
      let failure: RequestFailure;
      try {
        const text = await send(ollamaClient(host, deadline.signal));
        if (typeof text === "string") return { text };
        failure = { kind: "garbage", transient: false, detail: "the answer has no text" };
      } catch (error) {
        failure = classifyFailure(error, {
          timedOut: deadline.timedOut() || taskTimedOut(),
          cancelled: !deadline.timedOut() && !taskTimedOut() && (taskSignal.aborted || haltSignal.aborted),
        });
      } finally {
        deadline.dispose();
      }
      if (!failure.transient || attempt >= MAX_RETRIES || haltSignal.aborted) return { failure };
      this.options.logger.debug(`Ollama ${model} seed ${sample.seed}: ${failure.detail}; retrying`);
      await sleep(RETRY_BACKOFF_MS * 2 ** attempt, haltSignal);
    }
  }

  private toCandidates(
    context: HunkContext,
    answers: readonly string[],
    shape: AnswerShape,
    mode: "fim" | "chat",
    model: string,
  ): Candidate[] {
    const generator = mode === "fim" ? "ollama-fim" : "ollama-chat";
    const votes = new Map<string, { text: string; votes: number; greedy: boolean }>();
    answers.forEach((answer, i) => {
      const text = parseAnswer(answer, shape);
      if (text === undefined) return;
      const key = normaliseWhitespace(text);
      const entry = votes.get(key) ?? { text, votes: 0, greedy: false };
      entry.votes++;
      entry.greedy ||= i === 0;
      votes.set(key, entry);
    });
    const isInsertion = context.hunk.endLine <= context.hunk.startLine;
    const deletion = votes.get("");
    const candidates: Candidate[] = [];
    if (!isInsertion) {
      // MultiMend puts the empty candidate first; its score is the deletion prior unless the model chose it.
      const modelScore = deletion ? this.modelScore(deletion.votes, answers.length, deletion.greedy) : 0;
      candidates.push({
        text: "",
        score: Math.max(EDIT_KIND_PRIOR.delete, modelScore),
        generator,
        editKind: "delete",
        description: deletion ? `delete the lines (${model})` : "delete the lines",
      });
    }
    const ranked = [...votes.entries()]
      .filter(([key]) => key !== "")
      .map(([, entry]) => entry)
      .sort((a, b) => b.votes - a.votes || Number(b.greedy) - Number(a.greedy));
    for (const entry of ranked) {
      candidates.push({
        text: entry.text,
        score: this.modelScore(entry.votes, answers.length, entry.greedy),
        generator,
        editKind: "model",
        description: `${model}: ${entry.votes}/${answers.length} answer${answers.length === 1 ? "" : "s"}${entry.greedy ? ", greedy" : ""}`,
      });
    }
    return candidates;
  }

  /** Self-consistency: an answer many samples agree on outranks a one-off; the greedy answer gets a bonus. */
  private modelScore(votes: number, total: number, greedy: boolean): number {
    return Math.min(1, 0.55 + 0.4 * (votes / Math.max(1, total)) + (greedy ? 0.05 : 0));
  }
}
