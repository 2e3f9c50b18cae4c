import { boundedResponse } from "../../../net/bounded-response.js";

/**
 * One streamed answer from /api/generate or /api/chat. Streaming lets a request have two deadlines: one for the
 * first token (a model still loading or a queue in Ollama) and one for the rest of the answer, instead of one
 * timeout that must be long enough for both. The NDJSON stream is read here rather than by the `ollama` client,
 * which skips lines that are not JSON with a console warning: a line of garbage must fail the request.
 */
/** Longest NDJSON record accepted (the final record carries a context array of a few thousand numbers). */
export const MAX_RECORD_CHARS = 1024 * 1024;

export interface AnswerRequest {
  readonly endpoint: "generate" | "chat";
  readonly body: Readonly<Record<string, unknown>>;
}

export interface Answer {
  readonly text: string;
  /** "stop", or "length" when num_predict cut the answer. */
  readonly doneReason?: string;
  /** Tokens of prompt the model read (after Ollama's own truncation). */
  readonly promptTokens?: number;
}

/** An HTTP error answer, shaped like the `ollama` client's ResponseError so that one classifier reads both. */
export class OllamaResponseError extends Error {
  constructor(
    message: string,
    readonly status_code: number,
  ) {
    super(message);
    this.name = "ResponseError";
  }
}

export interface StreamDeadlines {
  readonly signal: AbortSignal;
  /** Call on the first chunk: the first-token deadline ends and the answer deadline starts. */
  onFirstChunk(): void;
  /** The description of the deadline that fired, if one did. */
  fired(): string | undefined;
  dispose(): void;
}

/**
 * A signal that aborts with the parent, when no first chunk arrives within `timeoutMs`, or when the answer is not
 * finished `timeoutMs` after its first chunk.
 */
export function streamDeadlines(parent: AbortSignal, timeoutMs: number): StreamDeadlines {
  // The deadline moves once (at the first chunk), which AbortSignal.timeout cannot do: one timer of our own,
  // joined with the parent by AbortSignal.any.
  const controller = new AbortController();
  const signal = AbortSignal.any([parent, controller.signal]);
  const seconds = Math.round(timeoutMs / 100) / 10;
  let fired: string | undefined;
  const expire = (what: string) => (): void => {
    fired = what;
    controller.abort(new DOMException(what, "TimeoutError"));
  };
  let timer = setTimeout(expire(`no first token within ${seconds} s (ollama.requestTimeoutMs)`), timeoutMs);
  let started = false;
  return {
    signal,
    onFirstChunk() {
      if (started) return;
      started = true;
      clearTimeout(timer);
      timer = setTimeout(
        expire(`the answer did not finish within ${seconds} s of its first token (ollama.requestTimeoutMs)`),
        timeoutMs,
      );
    },
    fired: () => fired,
    dispose() {
      clearTimeout(timer);
    },
  };
}

function endpointUrl(host: string, endpoint: string): string {
  return new URL(`api/${endpoint}`, host.endsWith("/") ? host : `${host}/`).href;
}

async function errorMessage(response: Response): Promise<string> {
  const body = await response.text().catch(() => "");
  try {
    const parsed: unknown = JSON.parse(body);
    const error = (parsed as { error?: unknown } | null)?.error;
    if (typeof error === "string") return error;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return body.trim().slice(0, 200) || response.statusText || `HTTP ${response.status}`;
}

function parseLine(line: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SyntaxError(`not an Ollama answer: ${line.slice(0, 80)}`);
  return parsed as Record<string, unknown>;
}

/** The text of one streamed record: `response` for generate, `message.content` for chat. */
function pieceOf(record: Record<string, unknown>, endpoint: AnswerRequest["endpoint"]): unknown {
  if (endpoint === "generate") return record.response;
  const message = record.message as { content?: unknown } | undefined;
  return message?.content;
}

/**
 * Sends the request with `stream: true` and gathers the answer. Returns undefined when the stream carries no
 * text field at all (not an Ollama answer); throws OllamaResponseError for an HTTP error or an error record,
 * SyntaxError for a line that is not JSON, and the abort reason when the signal fires.
 */
export async function streamAnswer(
  host: string,
  request: AnswerRequest,
  signal: AbortSignal,
  onFirstChunk: () => void,
): Promise<Answer | undefined> {
  const response = await boundedResponse(
    await fetch(endpointUrl(host, request.endpoint), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...request.body, stream: true }),
      signal,
    }),
  );
  if (!response.ok) throw new OllamaResponseError(await errorMessage(response), response.status);
  if (!response.body) return undefined;
  const decoder = new TextDecoder();
  let buffered = "";
  let text = "";
  let sawText = false;
  let doneReason: string | undefined;
  let promptTokens: number | undefined;
  const take = (line: string): void => {
    if (line.trim() === "") return;
    const record = parseLine(line);
    if (typeof record.error === "string") throw new OllamaResponseError(record.error, 500);
    const piece = pieceOf(record, request.endpoint);
    if (typeof piece === "string") {
      sawText = true;
      text += piece;
    }
    if (record.done === true) {
      if (typeof record.done_reason === "string") doneReason = record.done_reason;
      if (typeof record.prompt_eval_count === "number") promptTokens = record.prompt_eval_count;
    }
  };
  for await (const chunk of response.body) {
    onFirstChunk();
    const text = decoder.decode(chunk as Uint8Array, { stream: true });
    if (!text.includes("\n")) {
      buffered += text;
      // One streamed record is a token or two: a record this long is not Ollama talking.
      if (buffered.length > MAX_RECORD_CHARS)
        throw new SyntaxError(`a streamed record is longer than ${MAX_RECORD_CHARS} characters`);
      continue;
    }
    const lines = (buffered + text).split("\n");
    buffered = lines.pop() ?? "";
    lines.forEach(take);
  }
  take(buffered + decoder.decode());
  if (!sawText) return undefined;
  return {
    text,
    ...(doneReason !== undefined ? { doneReason } : {}),
    ...(promptTokens !== undefined ? { promptTokens } : {}),
  };
}
