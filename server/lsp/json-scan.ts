/**
 * Cheap, non-recursive looks at JSON before anything recursive touches it. The JSON-RPC library formats and walks
 * messages recursively, so a message nested a few thousand levels deep overflows its stack or blocks the event
 * loop for seconds; these checks let the reader refuse such messages in time linear in their size.
 */

/** What one pass over a message body found out without building it. */
export interface BodyScan {
  /** The deepest nesting of arrays and objects (0 for a bare string or number). */
  readonly depth: number;
  /** The top-level "id" member when it is a string or a number, so that a refusal can name its request. */
  readonly id: string | number | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** An id longer than this is no id a client would send; it is not worth decoding. */
const MAX_ID_BYTES = 256;

/**
 * Scans UTF-8 JSON bytes once, respecting strings and escapes. Bytes of multi-byte UTF-8 characters are all at
 * least 0x80, so they can never be mistaken for the ASCII punctuation the scan looks for. The body need not be
 * valid JSON: the scan reports what it saw, and parsing decides validity afterwards.
 */
export function scanJsonBody(body: Uint8Array): BodyScan {
  let depth = 0;
  let maxDepth = 0;
  // Top-level members of an object body: where the current key started, whether a key is expected next, the last
  // key read, and where the value of an "id" member started.
  let topLevelObject = false;
  let expectingKey = false;
  let lastKey = "";
  let idValueStart = -1;
  let idRaw: Uint8Array | undefined;
  const endIdValue = (end: number): void => {
    if (idValueStart >= 0 && end - idValueStart <= MAX_ID_BYTES) idRaw = body.subarray(idValueStart, end);
    idValueStart = -1;
  };
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    switch (byte) {
      case QUOTE: {
        const end = stringEnd(body, i);
        if (topLevelObject && depth === 1 && expectingKey) {
          lastKey = Buffer.from(body.subarray(i + 1, end)).toString("utf8");
          expectingKey = false;
        }
        i = end;
        break;
      }
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if (depth === 0 && maxDepth === 0 && byte === OPEN_BRACE) {
          topLevelObject = true;
          expectingKey = true;
        }
        depth++;
        if (depth > maxDepth) maxDepth = depth;
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        if (depth === 1 && topLevelObject) endIdValue(i);
        depth = Math.max(0, depth - 1);
        break;
      case COLON:
        if (topLevelObject && depth === 1 && lastKey === "id") idValueStart = i + 1;
        lastKey = "";
        break;
      case COMMA:
        if (topLevelObject && depth === 1) {
          endIdValue(i);
          expectingKey = true;
        }
        break;
    }
  }
  return { depth: maxDepth, id: decodeId(idRaw) };
}

/**
 * The index of the quote that closes the string opened at `open` (the body's length when it never closes). The
 * search jumps from quote to quote natively, which matters for documents megabytes long; a quote is escaped when
 * an odd number of backslashes precedes it, and each run of backslashes is counted once, so this stays linear.
 */
function stringEnd(body: Uint8Array, open: number): number {
  for (let from = open + 1; ;) {
    const quote = body.indexOf(QUOTE, from);
    if (quote < 0) return body.length;
    let backslashes = 0;
    for (let k = quote - 1; k > open && body[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

function decodeId(raw: Uint8Array | undefined): string | number | undefined {
  if (!raw) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw).toString("utf8"));
    return typeof value === "string" || typeof value === "number" ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether an already-parsed value nests arrays and objects deeper than `limit` (a bare value has depth 0). The
 * walk keeps its own stack, so it cannot overflow however deep the value is, and it stops at the first value past
 * the limit.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== "object" || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(next.value) ? next.value : Object.values(next.value);
    for (const child of children) pending.push({ value: child, depth });
  }
  return false;
}
