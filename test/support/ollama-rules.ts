/**
 * The rules of Ollama's server that the strict test server enforces, as pure functions: how keep_alive is parsed
 * (api.Duration), how a generate request is rendered (routes.go: fill-in-the-middle only with a non-empty suffix),
 * how an over-long prompt is cut (the runner keeps num_keep head tokens and the tail), and how stop strings,
 * num_predict and thinking shape the output. Tokens are approximated by words and punctuation, which is enough
 * for tests to reason about counts.
 */
import type { TestModel } from "./ollama-test-server.js";

/** An error Ollama answers with a status code (the server turns it into `{ "error": message }`). */
export class OllamaHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Ollama's default keep_alive: five minutes. */
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

const GO_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds; throws with Go's message for what Go refuses. */
export function parseGoDuration(text: string): number {
  if (text === "0" || text === "+0" || text === "-0") return 0;
  const match = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (!match) {
    const missingUnit = /^[-+]?(\d+\.?\d*|\.\d+)$/.test(text);
    throw new OllamaHttpError(400, `time: ${missingUnit ? "missing unit in" : "invalid"} duration "${text}"`);
  }
  let total = 0;
  for (const part of match[2]!.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)/g))
    total += Number(part[1]) * GO_UNIT_MS[part[2]!]!;
  return match[1] === "-" ? -total : total;
}

/**
 * keep_alive as api.Duration reads it: a number of seconds or a Go duration string; negative means forever (-1
 * here); absent means the default. Anything else is a 400 before the model is even looked up.
 */
export function keepAliveMs(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_KEEP_ALIVE_MS;
  let ms: number;
  if (typeof value === "number") ms = value * 1_000;
  else if (typeof value === "string") ms = parseGoDuration(value);
  else throw new OllamaHttpError(400, `Unsupported type: '${typeof value}'`);
  return ms < 0 ? -1 : ms;
}

const TOKEN = /\s*[A-Za-z0-9_]+|\s*[^A-Za-z0-9_\s]|\s+/g;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}

/** Cuts a text after `limit` tokens (a negative limit is no limit, as num_predict -1 is). */
export function truncateToTokens(text: string, limit: number): { text: string; cut: boolean } {
  if (limit < 0) return { text, cut: false };
  const tokens = tokenize(text);
  if (tokens.length <= limit) return { text, cut: false };
  return { text: tokens.slice(0, limit).join(""), cut: true };
}

/** Cuts the output at the first stop string, which is not included, as Ollama does. */
export function applyStops(text: string, stops: readonly string[]): { text: string; stopped: boolean } {
  let at = -1;
  for (const stop of stops) {
    if (stop === "") continue;
    const i = text.indexOf(stop);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at < 0 ? { text, stopped: false } : { text: text.slice(0, at), stopped: true };
}

/** A thinking model's output: everything before `</think>` is thinking; an output cut before it is all thinking. */
export function splitThinking(text: string): { thinking: string; content: string } {
  const end = text.indexOf("</think>");
  if (end < 0) return { thinking: text, content: "" };
  return { thinking: text.slice(0, end).trim(), content: text.slice(end + "</think>".length).trimStart() };
}

export interface RenderedPrompt {
  /**
   * "raw": the prompt as sent (`raw: true`); "fim": the template's fill-in-the-middle branch (a non-empty suffix
   * and a template with `.Suffix`); "chat": a chat turn (/api/chat, or /api/generate without a suffix).
   */
  readonly kind: "raw" | "fim" | "chat";
  /** The prompt (generate) or the last user message (chat). */
  readonly prompt: string;
  readonly suffix: string;
  /** What the model reads, after context truncation. */
  readonly text: string;
  /** Tokens of `text` (what prompt_eval_count reports). */
  readonly promptTokens: number;
  readonly truncated: boolean;
}

function messagesOf(body: Record<string, unknown>): Array<{ role: string; content: string }> {
  if (!Array.isArray(body.messages)) return [];
  return body.messages.map((m: unknown) => {
    const message = typeof m === "object" && m !== null ? (m as Record<string, unknown>) : {};
    return {
      role: typeof message.role === "string" ? message.role : "user",
      content: typeof message.content === "string" ? message.content : "",
    };
  });
}

/** Renders the request the way routes.go chooses the template branch. */
export function renderPrompt(path: string, body: Record<string, unknown>, model: TestModel): RenderedPrompt {
  const prompt = typeof body.prompt === "string" ? body.prompt : "";
  const suffix = typeof body.suffix === "string" ? body.suffix : "";
  let kind: RenderedPrompt["kind"];
  let text: string;
  let shown = prompt;
  if (path === "/api/chat") {
    const messages = messagesOf(body);
    kind = "chat";
    shown = messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
    text = messages.map((m) => `<${m.role}>\n${m.content}\n`).join("");
  } else if (body.raw === true) {
    kind = "raw";
    text = prompt;
  } else if (suffix !== "" && model.template.includes(".Suffix")) {
    kind = "fim";
    text = `<prefix>${prompt}<suffix>${suffix}<middle>`;
  } else {
    // An empty suffix (or none) renders the prompt as a plain user turn of the chat template.
    kind = "chat";
    text = `${typeof body.system === "string" ? `<system>\n${body.system}\n` : ""}<user>\n${prompt}\n`;
  }
  return { kind, prompt: shown, suffix, text, promptTokens: countTokens(text), truncated: false };
}

/**
 * Context shift on input: a prompt longer than num_ctx keeps its first num_keep tokens and the tail, so the
 * model sees the start of the prompt glued to its end.
 */
export function truncateToContext(rendered: RenderedPrompt, numCtx: number, numKeep: number): RenderedPrompt {
  const tokens = tokenize(rendered.text);
  if (tokens.length <= numCtx) return rendered;
  const keep = Math.min(numKeep, numCtx);
  const kept = [...tokens.slice(0, keep), ...tokens.slice(tokens.length - (numCtx - keep))];
  return { ...rendered, text: kept.join(""), promptTokens: kept.length, truncated: true };
}
