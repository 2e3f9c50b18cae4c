/**
 * Raw access to a spawned server's protocol streams, for tests that send bytes no well-behaved client would and
 * need to see every response, including those answering ids the client library never sent.
 */
import type { Readable } from "node:stream";
import { MessageFramer } from "../../server/lsp/message-framer.js";

/** One LSP frame around a body. */
export function frame(body: string | Buffer): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, "latin1"), bytes]);
}

/** A framed JSON-RPC message. */
export function frameMessage(message: object): Buffer {
  return frame(JSON.stringify(message));
}

export interface RawResponse {
  readonly id: string | number | null;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string };
}

/** Collects every response the server writes, by reading its output alongside the regular client. */
export class ResponseRecorder {
  readonly responses: RawResponse[] = [];
  private readonly framer = new MessageFramer(256 * 1024 * 1024);
  private readonly waiters: Array<{ id: string | number | null; resolve: (response: RawResponse) => void }> = [];

  constructor(output: Readable) {
    output.on("data", (chunk: Buffer) => {
      for (const event of this.framer.push(chunk)) {
        if (event.kind !== "message") continue;
        const message = JSON.parse(event.body.toString("utf8")) as Partial<RawResponse> & { method?: string };
        if (message.method !== undefined || message.id === undefined) continue;
        const response = message as RawResponse;
        this.responses.push(response);
        for (const waiter of this.waiters.filter((w) => w.id === response.id)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(response);
        }
      }
    });
  }

  /** The first response with this id, already received or future; rejects after `timeoutMs`. */
  waitFor(id: string | number | null, timeoutMs = 20_000): Promise<RawResponse> {
    const seen = this.responses.find((r) => r.id === id);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        id,
        resolve: (response: RawResponse): void => {
          clearTimeout(timer);
          resolve(response);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no response with id ${String(id)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Responses with a null id: answers to messages whose id could not be read. */
  anonymousErrors(): RawResponse[] {
    return this.responses.filter((r) => r.id === null);
  }
}
