/**
 * Seeded generation of hostile LSP input for the fuzz test: valid messages, the same with parameters of the wrong
 * type, deeply nested bodies, bad and mis-sized header blocks, broken JSON and random bytes. The same seed always
 * gives the same bytes, so a failure is replayed by running the test again.
 */
import { frame } from "./raw-messages.js";

/** mulberry32: a tiny 32-bit PRNG, good enough to spread fuzz cases and fully determined by its seed. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  bytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = this.int(0, 255);
    return bytes;
  }
}

/** Where generated messages point: files of the workspace under test, and a folder that may be added to it. */
export interface FuzzTarget {
  readonly fileUris: readonly string[];
  readonly extraFolderUri: string;
}

/**
 * Strings chosen as replacement values. None names a real folder (a folder added by the fuzz would be indexed),
 * and none is a command that starts a repair (that would run tests).
 */
const STRINGS = [
  "",
  "x",
  "repair.nothing",
  "file:///nowhere/fuzz.py",
  "untitled:Untitled-1",
  "../../etc",
  "\u0000\u0001",
  "é😀\u2028",
  "x".repeat(5000),
  "quickfix",
  "2.0",
];

function randomScalar(rng: Prng): unknown {
  switch (rng.int(0, 7)) {
    case 0:
      return rng.pick([0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1.5, -0.25, 1e308]);
    case 1:
      return rng.pick(STRINGS);
    case 2:
      return null;
    case 3:
      return rng.chance(0.5);
    case 4:
      return {};
    case 5:
      return [];
    case 6:
      return [rng.int(0, 9), rng.pick(STRINGS), null];
    default:
      return { line: rng.pick([-1, 0, 3, 2 ** 40]), character: rng.pick(["0", 1, null]) };
  }
}

/** Every path to a property or element of a JSON value, found without recursion. */
function paths(value: unknown): Array<Array<string | number>> {
  const found: Array<Array<string | number>> = [];
  const pending: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== "object" || next.value === null) continue;
    const entries: Array<[string | number, unknown]> = Array.isArray(next.value)
      ? next.value.map((child, index): [number, unknown] => [index, child])
      : Object.entries(next.value);
    for (const [key, child] of entries) {
      const path = [...next.path, key];
      found.push(path);
      pending.push({ value: child, path });
    }
  }
  return found;
}

/** Replaces or deletes the value at a path (the path must exist). */
function mutateAt(root: Record<string, unknown>, path: ReadonlyArray<string | number>, value: unknown, del: boolean) {
  let parent: unknown = root;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = path[path.length - 1];
  if (last === undefined || typeof parent !== "object" || parent === null) return;
  if (del && !Array.isArray(parent)) delete (parent as Record<string | number, unknown>)[last];
  else (parent as Record<string | number, unknown>)[last] = value;
}

const range = (line: number): unknown => ({
  start: { line, character: 0 },
  end: { line: line + 1, character: 0 },
});

/** Well-formed messages of every method the server handles, and of some the library handles itself. */
function template(rng: Prng, target: FuzzTarget): Record<string, unknown> {
  const uri = rng.pick(target.fileUris);
  const line = rng.int(0, 5);
  const diagnostic = { range: range(line), message: "assertion failed", source: rng.pick(["pytest", "repair-ls"]) };
  const notification = (method: string, params: unknown): Record<string, unknown> => ({
    jsonrpc: "2.0",
    method,
    params,
  });
  const request = (method: string, params: unknown): Record<string, unknown> => ({
    jsonrpc: "2.0",
    id: rng.int(1_000_000, 9_999_999),
    method,
    params,
  });
  switch (rng.int(0, 15)) {
    case 0:
      return notification("textDocument/didOpen", {
        textDocument: { uri, languageId: "python", version: 1, text: "def f(x):\n    return x + 1\n" },
      });
    case 1:
      return notification("textDocument/didChange", {
        textDocument: { uri, version: rng.int(2, 100) },
        contentChanges: rng.chance(0.5) ? [{ range: range(line), text: "y = 2\n" }] : [{ text: "z = 3\n" }],
      });
    case 2:
      return notification("textDocument/didClose", { textDocument: { uri } });
    case 3:
      return notification("textDocument/didSave", { textDocument: { uri } });
    case 4:
      return request("textDocument/codeAction", {
        textDocument: { uri },
        range: range(line),
        context: { diagnostics: [diagnostic], only: rng.chance(0.3) ? ["quickfix"] : undefined },
      });
    case 5:
      return request("codeAction/resolve", {
        title: "Repair",
        kind: "quickfix",
        data: { repairId: `r${rng.int(0, 9)}`, uri, range: range(line) },
      });
    case 6:
      return request("workspace/executeCommand", {
        command: rng.pick(["repair.status", "repair.cancel"]),
        arguments: rng.chance(0.5) ? [] : [{ jobId: `job-${rng.int(0, 9)}` }],
      });
    case 7:
      return request("repair/report", { jobId: `job-${rng.int(0, 9)}` });
    case 8:
      return notification("workspace/didChangeConfiguration", { settings: { repairLs: { logLevel: "info" } } });
    case 9:
      return notification("workspace/didChangeWatchedFiles", { changes: [{ uri, type: rng.int(1, 3) }] });
    case 10:
      return notification("workspace/didChangeWorkspaceFolders", {
        event: rng.chance(0.5)
          ? { added: [{ uri: target.extraFolderUri, name: "extra" }], removed: [] }
          : { added: [], removed: [{ uri: target.extraFolderUri, name: "extra" }] },
      });
    case 11:
      return notification("$/cancelRequest", { id: rng.int(1_000_000, 9_999_999) });
    case 12:
      return notification("$/setTrace", { value: rng.pick(["off", "messages", "verbose"]) });
    case 13:
      return notification("window/workDoneProgress/cancel", { token: `token-${rng.int(0, 9)}` });
    case 14:
      // A response to a request the server never sent.
      return { jsonrpc: "2.0", id: rng.int(0, 50), result: rng.chance(0.5) ? null : [{ title: "x" }] };
    default:
      return request(rng.pick(["custom/unknown", "textDocument/hover"]), { textDocument: { uri } });
  }
}

/** A template with one or more parts of the wrong type, missing, or in the wrong place. */
function mutated(rng: Prng, target: FuzzTarget): Record<string, unknown> {
  const message = template(rng, target);
  const mutations = rng.int(1, 3);
  for (let i = 0; i < mutations; i++) {
    switch (rng.int(0, 6)) {
      case 0:
        message.params = randomScalar(rng);
        break;
      case 1:
        delete message.params;
        break;
      case 2:
        // Cross-wired: another method's params.
        message.params = template(rng, target).params;
        break;
      case 3:
        message.id = rng.pick<unknown>([{}, [], null, 1.5, -7, "s".repeat(300), true]);
        break;
      case 4:
        message.method = rng.pick<unknown>([42, null, "", "textDocument/didOpen", "codeAction/resolve"]);
        break;
      default: {
        const all = paths(message.params);
        if (all.length === 0) break;
        mutateAt(message, ["params", ...rng.pick(all)], randomScalar(rng), rng.chance(0.3));
      }
    }
  }
  return message;
}

function nestedBody(rng: Prng): string {
  const depth = rng.int(65, 6000);
  const open = rng.chance(0.5) ? "[" : '{"a":';
  const close = open === "[" ? "]" : "}";
  const nested = open.repeat(depth) + (open === "[" ? "" : "1") + close.repeat(depth);
  switch (rng.int(0, 2)) {
    case 0:
      return nested;
    case 1:
      return `{"jsonrpc":"2.0","id":${rng.int(1, 1000)},"method":"textDocument/codeAction","params":${nested}}`;
    default:
      return `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":${nested}}}`;
  }
}

/** A header block that declares no usable length; a valid message may follow it in the same chunk. */
function badHeader(rng: Prng): string {
  return rng.pick([
    "Content-Length: -5\r\n\r\n",
    `Content-Length: -${rng.int(1, 100_000)}\r\n\r\n`,
    "Content-Type: application/vscode-jsonrpc\r\n\r\n",
    "Content-Length: abc\r\n\r\n",
    `Content-Length: ${rng.int(1, 9)}e${rng.int(1, 9)}\r\n\r\n`,
    "Content-Length: 99999999999999\r\n\r\n",
    "Content-Length: 12\r\nbroken header line\r\n\r\n",
    "\r\n\r\n",
  ]);
}

/** The bytes of one fuzz case: zero, one or two frames, possibly broken. */
export function fuzzCase(rng: Prng, target: FuzzTarget): Buffer {
  const kind = rng.next();
  if (kind < 0.12) return frame(JSON.stringify(template(rng, target)));
  if (kind < 0.5) return frame(JSON.stringify(mutated(rng, target)));
  if (kind < 0.58) return frame(nestedBody(rng));
  if (kind < 0.7) {
    const after = rng.chance(0.7) ? frame(JSON.stringify(template(rng, target))) : Buffer.alloc(0);
    return Buffer.concat([Buffer.from(badHeader(rng), "latin1"), after]);
  }
  if (kind < 0.78) return rng.bytes(rng.int(1, 300));
  if (kind < 0.9) {
    // Broken JSON: truncated, or with a byte changed.
    const text = Buffer.from(JSON.stringify(template(rng, target)), "utf8");
    if (rng.chance(0.5)) return frame(text.subarray(0, rng.int(0, text.length - 1)));
    text[rng.int(0, text.length - 1)] = rng.int(0, 255);
    return frame(text);
  }
  if (kind < 0.95) {
    // Valid JSON, but not a JSON-RPC message.
    return frame(JSON.stringify(randomScalar(rng)));
  }
  // A Content-Length that does not match the body: too short, or too long by up to 200 bytes (the body then ends
  // at the next header).
  const body = Buffer.from(JSON.stringify(template(rng, target)), "utf8");
  const declared = rng.chance(0.5) ? rng.int(0, body.length - 1) : body.length + rng.int(1, 200);
  return Buffer.concat([Buffer.from(`Content-Length: ${declared}\r\n\r\n`, "latin1"), body]);
}
