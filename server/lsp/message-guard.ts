import { ErrorCodes, type Message, type ResponseMessage } from "vscode-languageserver/node.js";
import { nestsDeeperThan, scanJsonBody } from "./json-scan.js";
import { errorMessage } from "../core/error-message.js";

/**
 * Bounds on what one incoming message may be. LSP messages nest a dozen levels at most (a code action's
 * diagnostics' related information); 64 leaves room for deep initializationOptions while staying far below where
 * the library's recursive code gets slow. The size bound keeps one message from taking the server's memory.
 */
export const MESSAGE_LIMITS = { maxDepth: 64, maxBytes: 64 * 1024 * 1024 } as const;

export type MessageLimits = { readonly maxDepth: number; readonly maxBytes: number };

/** A message refused before the library saw it: why (for the log) and the error response owed to the client. */
export interface Refusal {
  readonly reason: string;
  readonly response: ResponseMessage;
}

export type Checked = { readonly message: Message } | { readonly refusal: Refusal };

type MessageId = string | number | null;

export function refusal(code: number, reason: string, id: MessageId): Refusal {
  return { reason, response: { jsonrpc: "2.0", id, error: { code, message: reason } } };
}

function isMessageId(value: unknown): value is string | number {
  return typeof value === "string" || typeof value === "number";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes one framed body: too deep is refused from a linear scan before any parse, invalid JSON is a parse
 * error, and the parsed value must have the shape of a JSON-RPC message. Refusals carry the request's id when the
 * body lets it be read, so that a client waiting for that answer is not left hanging.
 */
export function decodeBody(body: Uint8Array, limits: MessageLimits = MESSAGE_LIMITS): Checked {
  const scan = scanJsonBody(body);
  if (scan.depth > limits.maxDepth) {
    return {
      refusal: refusal(
        ErrorCodes.InvalidRequest,
        `message refused: nested ${scan.depth} levels deep, more than the limit of ${limits.maxDepth}`,
        scan.id ?? null,
      ),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch (error) {
    const detail = errorMessage(error);
    return { refusal: refusal(ErrorCodes.ParseError, `message refused: not valid JSON (${detail})`, scan.id ?? null) };
  }
  return checkShape(value);
}

/**
 * Checks a message that arrived already parsed (node IPC): its depth with an explicit stack, then its shape.
 */
export function checkParsedMessage(value: unknown, limits: MessageLimits = MESSAGE_LIMITS): Checked {
  if (nestsDeeperThan(value, limits.maxDepth)) {
    const id = isPlainObject(value) && isMessageId(value.id) ? value.id : null;
    return {
      refusal: refusal(
        ErrorCodes.InvalidRequest,
        `message refused: nested more than the limit of ${limits.maxDepth} levels`,
        id,
      ),
    };
  }
  return checkShape(value);
}

/**
 * A request (method and id), a notification (method, no id) or a response (id, and result or error); params, when
 * present, structured. `params: null` is let through because some clients send it with shutdown and exit.
 */
function checkShape(value: unknown): Checked {
  if (!isPlainObject(value)) {
    const what = Array.isArray(value) ? "a batch (JSON-RPC batches are not part of LSP)" : "not a JSON object";
    return { refusal: refusal(ErrorCodes.InvalidRequest, `message refused: ${what}`, null) };
  }
  const id = isMessageId(value.id) ? value.id : null;
  const invalid = (reason: string): Checked => ({
    refusal: refusal(ErrorCodes.InvalidRequest, `message refused: ${reason}`, id),
  });
  if ("method" in value) {
    if (typeof value.method !== "string") return invalid("its method is not a string");
    if (value.id !== undefined && !isMessageId(value.id)) return invalid("its id is neither a string nor a number");
    const params = value.params;
    if (params !== undefined && params !== null && typeof params !== "object") {
      return invalid("its params are neither an object nor an array");
    }
    return { message: value as unknown as Message };
  }
  if ((value.id === null || isMessageId(value.id)) && ("result" in value || isPlainObject(value.error))) {
    return { message: value as unknown as Message };
  }
  return invalid("neither a request, a notification nor a response");
}
