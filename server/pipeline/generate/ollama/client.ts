import { Ollama } from "ollama";
import { boundedResponse, ResponseTooLargeError } from "../../../net/bounded-response.js";
import { errorMessage } from "../../../core/error-message.js";

/**
 * The `ollama` npm client bound to one abort signal. The client passes no signal on non-streaming requests, so
 * the signal is injected through its `fetch` option; that is what makes per-request timeouts and cancellation
 * actually close the HTTP request.
 *
 * Every body is read through boundedResponse, so a host answering with hundreds of megabytes fails the request
 * instead of filling the server's memory. The client also writes to the console when an error body is not JSON,
 * and stdout carries the language server protocol: error responses are therefore re-wrapped as JSON before the
 * client sees them.
 */
export function ollamaClient(host: string, signal: AbortSignal): Ollama {
  const guardedFetch: typeof fetch = async (input, init) => {
    const response = await boundedResponse(await fetch(input, { ...init, signal }));
    if (response.ok) return response;
    const body = await response.text().catch(() => "");
    let message = body.trim();
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === "object" && parsed !== null && typeof (parsed as { error?: unknown }).error === "string") {
        message = (parsed as { error: string }).error;
      }
    } catch {
      // Not JSON: keep the text itself as the message.
    }
    return new Response(JSON.stringify({ error: message || response.statusText || `HTTP ${response.status}` }), {
      status: response.status,
      statusText: response.statusText,
      headers: { "content-type": "application/json" },
    });
  };
  return new Ollama({ host, fetch: guardedFetch });
}

/** Why an Ollama request failed, as far as the user needs to know. */
export type FailureKind = "down" | "missing" | "load" | "timeout" | "garbage" | "error" | "cancelled";

/** The endpoint a request went to: the same status means different things on different endpoints. */
export type Endpoint = "tags" | "show" | "ps" | "generate" | "chat";

export interface RequestFailure {
  readonly kind: FailureKind;
  /** Worth retrying: a reset connection, a 5xx, a 429. */
  readonly transient: boolean;
  readonly detail: string;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "EADDRNOTAVAIL"]);
const RESET = new Set([
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ETIMEDOUT",
  "UND_ERR_HEADERS_TIMEOUT",
]);

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Messages of Ollama's load failures (the model does not fit, the runner died while loading): retrying the same
 * request only repeats the load, so they are not transient whatever their status.
 */
const LOAD_FAILURE =
  /requires more system memory|unable to load model|llama runner process has terminated|error loading model|out of memory|insufficient memory|failed to load/i;

/**
 * Classifies an error thrown by a request to `endpoint`. `timedOut` and `cancelled` say which of our own signals
 * fired, since an abort looks the same from inside fetch whoever caused it; `timeoutName` names the setting of the
 * timeout that fired, for the message.
 */
export function classifyFailure(
  error: unknown,
  state: { timedOut: boolean; cancelled: boolean; timeoutName?: string },
  endpoint?: Endpoint,
): RequestFailure {
  const message = errorMessage(error);
  if (state.cancelled) return { kind: "cancelled", transient: false, detail: "cancelled" };
  if (state.timedOut) return { kind: "timeout", transient: false, detail: state.timeoutName ?? message };
  if (error instanceof ResponseTooLargeError || (error as { cause?: unknown }).cause instanceof ResponseTooLargeError)
    return { kind: "garbage", transient: false, detail: message };
  const name = error instanceof Error ? error.name : "";
  if (name === "ResponseError") {
    const status = Number((error as { status_code?: unknown }).status_code);
    // A 404 on the listing is a wrong path or another server; only generation endpoints 404 for a missing model.
    if (status === 404 && (endpoint === "tags" || endpoint === "ps"))
      return {
        kind: "garbage",
        transient: false,
        detail: `404 on /api/${endpoint}: not an Ollama server, or a wrong path in ollama.host`,
      };
    if (status === 404) return { kind: "missing", transient: false, detail: message };
    if (LOAD_FAILURE.test(message)) return { kind: "load", transient: false, detail: message };
    return { kind: "error", transient: status === 429 || status >= 500, detail: `HTTP ${status}: ${message}` };
  }
  if (error instanceof SyntaxError) return { kind: "garbage", transient: false, detail: message };
  if (name === "AbortError" || name === "TimeoutError") return { kind: "cancelled", transient: false, detail: message };
  const code = errorCode(error);
  if (code && RESET.has(code)) return { kind: "down", transient: true, detail: code };
  if ((code && UNREACHABLE.has(code)) || message.includes("fetch failed")) {
    return { kind: "down", transient: false, detail: code ?? message };
  }
  if (LOAD_FAILURE.test(message)) return { kind: "load", transient: false, detail: message };
  return { kind: "error", transient: false, detail: message };
}
