import type { Connection } from "vscode-languageserver/node.js";
import { redactUrlsIn } from "../security/redact-url.js";
import { JOB_FINISHED_NOTIFICATION, STATUS_NOTIFICATION } from "./protocol-names.js";

/** Notifications whose `message` is free text written for people, and may quote a URL. */
const MESSAGE_NOTIFICATIONS: ReadonlySet<string> = new Set([
  "window/showMessage",
  "window/logMessage",
  JOB_FINISHED_NOTIFICATION,
  STATUS_NOTIFICATION,
]);

type SendNotification = (type: string | { readonly method: string }, params?: unknown) => Promise<void>;

/** The params with their `message` redacted, or the params unchanged when they carry no message. */
function redactMessageParams(params: unknown): unknown {
  if (typeof params !== "object" || params === null || !("message" in params)) return params;
  return typeof params.message === "string" ? { ...params, message: redactUrlsIn(params.message) } : params;
}

/**
 * Redacts credentials in URLs (`user:password@`, `?token=`) from every message the server sends to its client.
 * Messages are written in many places (the logger, jobs, configuration reports, the index and the Ollama
 * generator quoting the host they failed on), so the redaction sits at the one place they all pass through:
 * the connection's sendNotification. Call it once, before anything is sent.
 */
export function redactOutgoingMessages(connection: Connection): void {
  const send = connection.sendNotification.bind(connection) as SendNotification;
  const redacting: SendNotification = (type, params) => {
    const method = typeof type === "string" ? type : type.method;
    return send(type, MESSAGE_NOTIFICATIONS.has(method) ? redactMessageParams(params) : params);
  };
  (connection as unknown as { sendNotification: SendNotification }).sendNotification = redacting;
}
