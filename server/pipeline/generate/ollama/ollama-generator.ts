import { setTimeout as delay } from "node:timers/promises";
import { languageById, type CommentSyntax, type LanguageId } from "../../../../grammars/languages.js";
import { lexicalCommentSpans } from "../../../../index/comments.js";
import { keepAliveValue } from "../../../core/ollama-keep-alive.js";
import { resolveOllamaHost } from "../../../core/ollama-host.js";
import type { Config } from "../../../core/config-schema.js";
import {
  type Candidate,
  type FailureEvidence,
  type Generator,
  type HunkContext,
  type Logger,
  type ProgressSink,
  moduleLogger,
} from "../../../core/types.js";
import { INDENTATION_SENSITIVE } from "../code-key.js";
import { normaliseWhitespace } from "../hunk-text.js";
import { splitFile } from "../../../core/line-text.js";
import { detectIndentUnit, hunkIndent, leadingWhitespace } from "../indentation.js";
import { EDIT_KIND_PRIOR } from "../template/edits.js";
import { parseAnswer, type AnswerShape } from "./answer-parser.js";
import { classifyFailure, type FailureKind, type RequestFailure } from "./client.js";
import {
  ensureModelLoaded,
  failureMessage,
  ollamaAvailability,
  recordFailure,
  recordSuccess,
  warnOnce,
} from "./host-state.js";
import { Limiter } from "./limiter.js";
import type { ModelInfo } from "./model-info.js";
import { nonEmptySuffix, promptStyle } from "./prompt-style.js";
import { buildChatPrompt, buildFimPrompt, type FewShotExample } from "./prompts.js";
import { fimStopTokens } from "./stop-tokens.js";
import { streamAnswer, streamDeadlines, type Answer, type AnswerRequest } from "./stream-answer.js";
import { errorMessage } from "../../../core/error-message.js";

/** Retries of a request that failed transiently (reset connection, 5xx, 429), with a doubling backoff. */
export const MAX_RETRIES = 2;
export const RETRY_BACKOFF_MS = 150;
/** Tokens reserved for the template's own text around the prompt. */
const TEMPLATE_OVERHEAD_TOKENS = 64;
/**
 * Prompt size in tokens. Small local models answer better with the code near the hole than with a whole file,
 * prompt evaluation on a CPU costs about a second per few hundred tokens, and Ollama's default context (2048
 * tokens before 0.6.7) must hold the prompt and the answer: 1.8k tokens is the cap.
 */
export const PROMPT_TOKEN_CAP = 1_800;
/** Seed of the greedy request; samples use 1..N so that every request has a distinct seed. */
const GREEDY_SEED = 0;

/** Failures after which the other requests of the hunk are not sent: the host or the model is unusable. */
const HALTING_FAILURES: ReadonlySet<FailureKind> = new Set(["down", "missing", "load", "garbage"]);

export interface OllamaGeneratorOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly progress: ProgressSink;
  readonly env?: NodeJS.ProcessEnv;
  /** Earlier fixes similar to a hunk (the repair memory), shown in chat prompts as few-shot examples. */
  readonly fewShot?: (context: HunkContext) => Promise<readonly FewShotExample[]>;
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

type Reply = Answer | { readonly failure: RequestFailure };

const limiters = new Map<string, Limiter>();

/** The one limiter of concurrent requests per host, shared by the per-hunk generator and the strategies. */
export function limiterFor(host: string, limit: number): Limiter {
  let limiter = limiters.get(host);
  if (!limiter) {
    limiter = new Limiter(limit);
    limiters.set(host, limiter);
  } else limiter.setLimit(limit);
  return limiter;
}

/** The failure worth reporting when several requests failed differently: the most actionable one. */
const FAILURE_PRIORITY: readonly FailureKind[] = [
  "missing",
  "load",
  "down",
  "garbage",
  "timeout",
  "error",
  "cancelled",
];

/** Tokens the prompt may take: the cap, or less when the model's context is smaller. */
export function promptBudget(info: ModelInfo, numPredict: number): number {
  return Math.max(256, Math.min(PROMPT_TOKEN_CAP, info.contextTokens - numPredict - TEMPLATE_OVERHEAD_TOKENS));
}

/**
 * What makes two answers the same vote: the code without comments, whitespace collapsed; in indentation-sensitive
 * languages each line keeps its leading whitespace, so an indentation-only change stays its own vote.
 */
export function voteKey(text: string, comments: CommentSyntax, language: LanguageId): string {
  let code = "";
  let at = 0;
  for (const span of lexicalCommentSpans(text, comments)) {
    code += text.slice(at, span.start);
    at = span.end;
  }
  code += text.slice(at);
  // Spacing around operators and brackets is style, not meaning: `x<limit` and `x < limit` are one answer.
  const tight = (line: string): string => normaliseWhitespace(line).replace(/\s*([^\w\s])\s*/g, "$1");
  if (!INDENTATION_SENSITIVE.has(language)) return tight(code);
  return code
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => leadingWhitespace(l) + tight(l))
    .join("\n");
}

/**
 * Candidates from an Ollama model: raw fill-in-the-middle with the family's tokens for base models, chat for
 * instruct models (template fill-in-the-middle when `ollama.mode` is "fim"); the model is loaded first, then each
 * answer streams under a first-token and a total deadline.
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
    const taskTimeout = AbortSignal.timeout(config["ollama.taskTimeoutMs"]);
    const task = AbortSignal.any([signal, taskTimeout]);
    // The task timed out when its own timer, not the caller's cancellation, aborted it first.
    const timedOut = (): boolean => taskTimeout.aborted && task.reason === taskTimeout.reason;
    try {
      const availability = await ollamaAvailability(host, model, config["ollama.requestTimeoutMs"], task);
      if (!availability.ok) {
        const kind = availability.kind === "cancelled" && timedOut() ? "timeout" : availability.kind;
        const detail = kind === "timeout" && timedOut() ? this.taskTimeoutName() : availability.detail;
        return { candidates: [], failure: this.fail(host, model, kind, detail, false) };
      }
      return await this.sampleAll(context, evidence, host, availability.info, task, timedOut);
    } catch (error) {
      // Defensive: nothing above should throw, but a generator must never take the repair down with it.
      const detail = errorMessage(error);
      this.options.logger.error(`Ollama generation failed unexpectedly: ${detail}`);
      return { candidates: [], failure: { kind: "error", message: detail } };
    }
  }

  private fail(host: string, model: string, kind: FailureKind, detail: string, record: boolean): OllamaFailure {
    const message = failureMessage(kind, host, model, detail);
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
    const { config, progress } = this.options;
    const logger = moduleLogger(this.options.logger, "Ollama");
    const style = promptStyle(info, config["ollama.mode"]);
    const mode = style.kind === "chat" ? "chat" : "fim";
    const budget = promptBudget(info, config["ollama.numPredict"]);
    const file = splitFile(context.fileText);
    const unit = detectIndentUnit(file.lines);
    const indent = hunkIndent(file.lines, context.hunk.startLine, context.hunk.endLine, unit);
    const fim = mode === "fim" ? buildFimPrompt(context, evidence, budget) : undefined;
    const examples = mode === "chat" && this.options.fewShot ? await this.fewShot(context) : [];
    const chat = mode === "chat" ? buildChatPrompt(context, evidence, budget, examples) : undefined;
    const prompt = fim ?? chat!;
    const shape: AnswerShape = { mode, indent, unit, before: prompt.before, after: prompt.after };
    const keepAlive = keepAliveValue(config["ollama.keepAlive"]);

    const loaded = await ensureModelLoaded(host, info.name, keepAlive, taskSignal, () =>
      progress.report(`Loading ${info.name} in Ollama (the first answer waits for it)`),
    );
    if (!loaded.ok) {
      const kind = loaded.kind === "cancelled" && taskTimedOut() ? "timeout" : loaded.kind;
      const detail = kind === "timeout" ? this.taskTimeoutName() : loaded.detail;
      return { candidates: [], failure: this.fail(host, info.name, kind, detail, kind !== "cancelled") };
    }

    const samples: Sample[] = [{ temperature: 0, seed: GREEDY_SEED }];
    for (let i = 1; i <= config["ollama.samples"]; i++)
      samples.push({ temperature: config["ollama.temperature"], seed: i });
    progress.report(`Asking ${info.name} for ${samples.length} candidate${samples.length === 1 ? "" : "s"} (${mode})`);

    const options = (sample: Sample): Record<string, unknown> => ({
      num_predict: config["ollama.numPredict"],
      temperature: sample.temperature,
      seed: sample.seed,
    });
    const body = (sample: Sample): AnswerRequest => {
      if (chat)
        return {
          endpoint: "chat",
          body: {
            model: info.name,
            messages: chat.messages.map((m) => ({ role: m.role, content: m.content })),
            options: options(sample),
            think: false,
            keep_alive: keepAlive,
          },
        };
      const suffix = nonEmptySuffix(fim!.suffix);
      const stop = fimStopTokens(info);
      return style.kind === "raw-fim"
        ? {
            endpoint: "generate",
            body: {
              model: info.name,
              prompt: style.format.wrap(fim!.prefix, suffix),
              raw: true,
              options: { ...options(sample), stop },
              think: false,
              keep_alive: keepAlive,
            },
          }
        : {
            endpoint: "generate",
            body: {
              model: info.name,
              prompt: fim!.prefix,
              suffix,
              raw: false,
              options: { ...options(sample), stop },
              think: false,
              keep_alive: keepAlive,
            },
          };
    };

    // A failure that says the host or model is unusable stops the remaining requests: they would fail the same
    // way. A timeout or an error of one request does not: the next sample may well answer.
    const halt = new AbortController();
    const haltSignal = AbortSignal.any([taskSignal, halt.signal]);
    const limiter = limiterFor(host, config["ollama.concurrency"]);
    const request = async (sample: Sample): Promise<Reply | undefined> => {
      const reply = await limiter.run(haltSignal, () =>
        this.requestWithRetry(host, info.name, sample, haltSignal, taskSignal, taskTimedOut, body(sample)),
      );
      if (reply && "failure" in reply && HALTING_FAILURES.has(reply.failure.kind)) halt.abort();
      return reply;
    };
    const replies = await Promise.all(samples.map(request));

    const answered: Answer[] = [];
    const failures: RequestFailure[] = [];
    replies.forEach((reply) => {
      if (!reply) return;
      if ("text" in reply) answered.push(reply);
      else failures.push(reply.failure);
    });
    if (answered.length === 0) {
      const failure =
        FAILURE_PRIORITY.map((k) => failures.find((f) => f.kind === k)).find((f) => f !== undefined) ??
        ({
          kind: taskTimedOut() ? "timeout" : "cancelled",
          transient: false,
          detail: taskTimedOut() ? this.taskTimeoutName() : "no answer",
        } satisfies RequestFailure);
      return { candidates: [], failure: this.fail(host, info.name, failure.kind, failure.detail, true) };
    }
    recordSuccess(host);
    this.options.progress.recovered?.("ollama");
    if (failures.length > 0)
      logger.info(`${failures.length} of ${samples.length} requests failed (${failures[0]!.detail})`);
    const truncated = answered.find(
      (a) => a.promptTokens !== undefined && a.promptTokens + config["ollama.numPredict"] >= info.contextTokens,
    );
    if (truncated)
      logger.warn(
        `the prompt filled ${info.name}'s context (${truncated.promptTokens} tokens of ${info.contextTokens}); Ollama cut it`,
      );
    return { candidates: this.toCandidates(context, answered, shape, mode, info.name) };
  }

  /** The few-shot examples for a hunk; none when the memory cannot be read (it is an aid, never a requirement). */
  private async fewShot(context: HunkContext): Promise<readonly FewShotExample[]> {
    try {
      return (await this.options.fewShot?.(context)) ?? [];
    } catch (error) {
      this.options.logger.debug(`repair memory: ${errorMessage(error)}`);
      return [];
    }
  }

  private taskTimeoutName(): string {
    return `all answers for the hunk took longer than ${this.options.config["ollama.taskTimeoutMs"]} ms (ollama.taskTimeoutMs)`;
  }

  private async requestWithRetry(
    host: string,
    model: string,
    sample: Sample,
    haltSignal: AbortSignal,
    taskSignal: AbortSignal,
    taskTimedOut: () => boolean,
    request: AnswerRequest,
  ): Promise<Reply> {
    const timeoutMs = this.options.config["ollama.requestTimeoutMs"];
    for (let attempt = 0; ; attempt++) {
      const deadlines = streamDeadlines(haltSignal, timeoutMs);
      let failure: RequestFailure;
      try {
        const answer = await streamAnswer(host, request, deadlines.signal, () => deadlines.onFirstChunk());
        if (answer) return answer;
        failure = { kind: "garbage", transient: false, detail: "the answer has no text" };
      } catch (error) {
        const fired = deadlines.fired();
        failure = classifyFailure(
          error,
          {
            timedOut: fired !== undefined || taskTimedOut(),
            cancelled: fired === undefined && !taskTimedOut() && (taskSignal.aborted || haltSignal.aborted),
            timeoutName: fired ?? this.taskTimeoutName(),
          },
          request.endpoint,
        );
      } finally {
        deadlines.dispose();
      }
      if (!failure.transient || attempt >= MAX_RETRIES || haltSignal.aborted) return { failure };
      this.options.logger.debug(`Ollama ${model} seed ${sample.seed}: ${failure.detail}; retrying`);
      // The back-off ends early when the requests are halted; the loop then returns the failure.
      await delay(RETRY_BACKOFF_MS * 2 ** attempt, undefined, { signal: haltSignal }).catch(() => undefined);
    }
  }

  private toCandidates(
    context: HunkContext,
    answers: readonly Answer[],
    shape: AnswerShape,
    mode: "fim" | "chat",
    model: string,
  ): Candidate[] {
    const generator = mode === "fim" ? "ollama-fim" : "ollama-chat";
    const comments = languageById(context.language).comments;
    const votes = new Map<string, { text: string; votes: number; greedy: boolean }>();
    answers.forEach((answer, i) => {
      // An empty chat answer is a model that said nothing (it thought, or stopped at once), not a choice to delete.
      if (mode === "chat" && answer.text.trim() === "") return;
      const text = parseAnswer(answer.text, shape, answer.doneReason);
      if (text === undefined) return;
      const key = voteKey(text, comments, context.language);
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

  /**
   * Self-consistency: an answer many samples agree on outranks a one-off; the greedy answer gets a bonus.
   * Calibration against the template engine: a model answer scores 0.55-1.0, above every template prior but the
   * three strongest (literal, bounds and unwrap in EDIT_KIND_PRIOR), so a lone sampled answer ranks with the
   * likeliest template edits and a unanimous one ranks first. Validation, not the score, decides; the score only orders the queue.
   */
  private modelScore(votes: number, total: number, greedy: boolean): number {
    return Math.min(1, 0.55 + 0.4 * (votes / Math.max(1, total)) + (greedy ? 0.05 : 0));
  }
}
