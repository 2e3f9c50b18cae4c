import type { Readable } from "node:stream";
import {
  AbstractMessageReader,
  Disposable,
  ErrorCodes,
  IPCMessageReader,
  type DataCallback,
  type ResponseMessage,
} from "vscode-languageserver/node.js";
import { MessageFramer } from "./message-framer.js";
import {
  checkParsedMessage,
  decodeBody,
  MESSAGE_LIMITS,
  refusal,
  type Checked,
  type MessageLimits,
} from "./message-guard.js";
import { errorMessage } from "../core/error-message.js";

/** Sends an error response for a refused message straight to the client, bypassing the library. */
export type ReplyToClient = (response: ResponseMessage) => void;

/**
 * Hands a checked message to the library, or logs the refusal and answers it. The library's callback can throw on
 * some well-formed but odd messages (a $/cancelRequest without params); that is a read error, not a crash.
 */
function deliver(
  checked: Checked,
  callback: DataCallback,
  reply: ReplyToClient,
  fireError: (error: Error) => void,
): void {
  if ("refusal" in checked) {
    fireError(new Error(checked.refusal.reason));
    reply(checked.refusal.response);
    return;
  }
  try {
    callback(checked.message);
  } catch (error) {
    fireError(new Error(`message dropped: ${errorMessage(error)}`));
  }
}

/**
 * The reader for byte streams (stdio, sockets): frames messages itself (message-framer.ts), refuses bodies that
 * are too large, too deep, not JSON or not JSON-RPC (message-guard.ts), and passes the rest to the library
 * already parsed, so the library's recursive code only ever sees bounded messages.
 */
export class GuardedStreamReader extends AbstractMessageReader {
  constructor(
    private readonly stream: Readable,
    private readonly reply: ReplyToClient,
    private readonly limits: MessageLimits = MESSAGE_LIMITS,
  ) {
    super();
    stream.on("error", (error) => this.fireError(error));
    stream.on("close", () => this.fireClose());
  }

  listen(callback: DataCallback): Disposable {
    const framer = new MessageFramer(this.limits.maxBytes);
    const fireError = (error: Error): void => this.fireError(error);
    const onData = (chunk: Buffer | string): void => {
      for (const event of framer.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)) {
        switch (event.kind) {
          case "message":
            deliver(decodeBody(event.body, this.limits), callback, this.reply, fireError);
            break;
          case "too-large": {
            const reason = `message refused: Content-Length ${event.length} exceeds the limit of ${this.limits.maxBytes} bytes; its body is skipped`;
            deliver({ refusal: refusal(ErrorCodes.InvalidRequest, reason, null) }, callback, this.reply, fireError);
            break;
          }
          case "bad-header":
            this.fireError(new Error(`header block skipped: ${event.reason}`));
            break;
          case "short-body":
            this.fireError(
              new Error(
                `a new header began after ${event.received} of the ${event.declared} bytes its Content-Length declared; the message ends there`,
              ),
            );
            break;
          case "skipped":
            this.fireError(new Error(`skipped ${event.bytes} bytes that were not part of any message`));
            break;
        }
      }
    };
    this.stream.on("data", onData);
    return Disposable.create(() => this.stream.off("data", onData));
  }
}

/**
 * The reader for node IPC, where messages arrive already parsed: the depth and shape checks still apply before the
 * library sees them.
 */
export class GuardedIpcReader extends IPCMessageReader {
  constructor(
    process: NodeJS.Process,
    private readonly reply: ReplyToClient,
    private readonly limits: MessageLimits = MESSAGE_LIMITS,
  ) {
    super(process);
  }

  override listen(callback: DataCallback): Disposable {
    const fireError = (error: Error): void => this.fireError(error);
    return super.listen((value: unknown) =>
      deliver(checkParsedMessage(value, this.limits), callback, this.reply, fireError),
    );
  }
}
