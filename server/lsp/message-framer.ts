/**
 * Splits a byte stream into LSP message bodies (`Content-Length: N\r\n\r\n` then N bytes) and recovers at once from
 * anything else. The JSON-RPC library's own reader trusts the header: a negative length leaves it waiting forever
 * and a header block it cannot read desynchronises every later message. Here a bad header block is reported and
 * skipped, and the next `Content-Length:` header starts the next message, even when it arrived in the same chunk.
 *
 * A length that is too long is caught too: a complete header block (`Content-Length: 12` ending in a blank line)
 * can never occur inside a JSON body, because raw line breaks are not allowed in JSON strings and the header's
 * words are no JSON token. When one shows up where the body was expected, the body ends there and the header
 * starts the next message.
 */

/** What the framer made of the bytes pushed so far, in stream order. */
export type FramerEvent =
  | { readonly kind: "message"; readonly body: Buffer }
  /** A complete header block without a usable Content-Length; it was dropped. */
  | { readonly kind: "bad-header"; readonly reason: string }
  /** A Content-Length above the limit; the header was dropped and its body is skipped as noise, not buffered. */
  | { readonly kind: "too-large"; readonly length: number }
  /** Bytes that were no header, dropped while looking for the next one; reported once framing is found again. */
  | { readonly kind: "skipped"; readonly bytes: number }
  /** A header block arrived before the declared length was complete; the short body is the next message event. */
  | { readonly kind: "short-body"; readonly declared: number; readonly received: number };

const HEADER_END = Buffer.from("\r\n\r\n", "latin1");
const CONTENT_LENGTH = "content-length:";
/** Header blocks are a few dozen bytes; noise without a header end is trimmed to this many trailing bytes. */
const MAX_HEADER_BYTES = 8 * 1024;
/** How far back into bytes already searched a header hidden in a body may begin (its block straddling chunks). */
const HEADER_OVERLAP_BYTES = 1024;

type HeaderBlock = { readonly length: number } | { readonly error: string };

/** Reads one header block (without its final blank line): every line `Name: value`, exactly one Content-Length. */
export function parseHeaderBlock(block: string): HeaderBlock {
  let length: number | undefined;
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) return { error: `not a header line: ${JSON.stringify(line.slice(0, 80))}` };
    if (line.slice(0, colon).trim().toLowerCase() !== "content-length") continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,15}$/.test(value)) return { error: `Content-Length must be a non-negative integer, got "${value}"` };
    if (length !== undefined && length !== Number(value)) return { error: "conflicting Content-Length headers" };
    length = Number(value);
  }
  return length === undefined ? { error: "no Content-Length header" } : { length };
}

export class MessageFramer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The body length being waited for, once its header block has been read. */
  private bodyLength: number | undefined;
  private skippedSinceLastHeader = 0;
  /** How many bytes of the current body were already searched for a header that cuts it short. */
  private bodySearched = 0;

  constructor(private readonly maxBodyBytes: number) {}

  /** Adds bytes from the stream and returns everything that is now complete. */
  push(chunk: Buffer): FramerEvent[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const events: FramerEvent[] = [];
    for (;;) {
      if (this.bodyLength === undefined) {
        if (!this.readHeader(events)) break;
      } else {
        const cut = this.headerInsideBody(this.bodyLength);
        if (cut !== undefined) events.push({ kind: "short-body", declared: this.bodyLength, received: cut });
        else if (this.size < this.bodyLength) break;
        const body = Buffer.from(this.take(cut ?? this.bodyLength));
        this.bodyLength = undefined;
        events.push({ kind: "message", body });
      }
    }
    return events;
  }

  /** Reads or drops one header block; false when more bytes are needed first. */
  private readHeader(events: FramerEvent[]): boolean {
    const pending = this.flatten();
    const end = pending.indexOf(HEADER_END);
    if (end < 0) {
      // Noise without a header end must not grow without bound; a header that may have begun is kept.
      if (pending.length > 2 * MAX_HEADER_BYTES) this.skip(pending.length - MAX_HEADER_BYTES);
      return false;
    }
    const block = pending.toString("latin1", 0, end);
    const header = parseHeaderBlock(block);
    if ("length" in header && header.length <= this.maxBodyBytes) {
      this.take(end + HEADER_END.length);
      if (this.skippedSinceLastHeader > 0) events.push({ kind: "skipped", bytes: this.skippedSinceLastHeader });
      this.skippedSinceLastHeader = 0;
      this.bodyLength = header.length;
      this.bodySearched = 0;
      return true;
    }
    // Noise in front of a real header (the tail of a mis-sized body, random bytes): the last Content-Length in the
    // block is the header that belongs to the blank line, so everything before it goes.
    const lastContentLength = block.toLowerCase().lastIndexOf(CONTENT_LENGTH);
    if (lastContentLength > 0) {
      this.skip(lastContentLength);
      return true;
    }
    this.take(end + HEADER_END.length);
    events.push(
      "length" in header ? { kind: "too-large", length: header.length } : { kind: "bad-header", reason: header.error },
    );
    return true;
  }

  /**
   * Where a complete header block begins within the first `bodyLength` pending bytes, if one does; its end may lie
   * a little past them, so that a length too long by a few bytes is caught too. Only bytes not searched before
   * (plus a little overlap) are looked at, so a large body arriving in many chunks costs linear time.
   */
  private headerInsideBody(bodyLength: number): number | undefined {
    const end = Math.min(this.size, bodyLength + HEADER_OVERLAP_BYTES);
    const start = Math.max(0, this.bodySearched - HEADER_OVERLAP_BYTES);
    if (end - this.bodySearched <= 0) return undefined;
    this.bodySearched = end;
    const region = this.peek(start, end);
    for (
      let blockEnd = region.indexOf(HEADER_END);
      blockEnd >= 0;
      blockEnd = region.indexOf(HEADER_END, blockEnd + 1)
    ) {
      const from = Math.max(0, blockEnd - HEADER_OVERLAP_BYTES);
      const text = region.toString("latin1", from, blockEnd);
      const headerStart = text.toLowerCase().lastIndexOf(CONTENT_LENGTH);
      const at = start + from + headerStart;
      if (headerStart >= 0 && at < bodyLength && "length" in parseHeaderBlock(text.slice(headerStart))) return at;
    }
    return undefined;
  }

  /** A copy of the pending bytes [start, end), joined from the chunks that hold them. */
  private peek(start: number, end: number): Buffer {
    const parts: Buffer[] = [];
    let offset = 0;
    for (const chunk of this.chunks) {
      const chunkEnd = offset + chunk.length;
      if (chunkEnd > start && offset < end) {
        parts.push(chunk.subarray(Math.max(0, start - offset), Math.min(chunk.length, end - offset)));
      }
      offset = chunkEnd;
      if (offset >= end) break;
    }
    return Buffer.concat(parts);
  }

  private skip(bytes: number): void {
    this.take(bytes);
    this.skippedSinceLastHeader += bytes;
  }

  /** The pending bytes as one buffer; joins chunks only when there are several. */
  private flatten(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Removes and returns the first `bytes` pending bytes (a view into the pending buffer). */
  private take(bytes: number): Buffer {
    const pending = this.flatten();
    const taken = pending.subarray(0, bytes);
    const rest = pending.subarray(bytes);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    return taken;
  }
}
