import { describe, expect, test } from "vitest";
import { MessageFramer, parseHeaderBlock, type FramerEvent } from "../../server/lsp/message-framer.js";

const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** Pushes each piece as one chunk and returns every event, message bodies as text. */
function run(pieces: readonly string[], maxBytes = 1024 * 1024): Array<FramerEvent | string> {
  const framer = new MessageFramer(maxBytes);
  return pieces.flatMap((piece) =>
    framer.push(Buffer.from(piece, "utf8")).map((event) => (event.kind === "message" ? event.body.toString() : event)),
  );
}

describe("parseHeaderBlock", () => {
  test("accepts Content-Length in any case and position, with other headers", () => {
    expect(parseHeaderBlock("Content-Length: 12")).toEqual({ length: 12 });
    expect(parseHeaderBlock("content-type: application/vscode-jsonrpc\r\ncontent-length:3")).toEqual({ length: 3 });
  });

  test("refuses negative, non-numeric, absent and conflicting lengths, and lines that are no headers", () => {
    for (const block of [
      "Content-Length: -5",
      "Content-Length: 12abc",
      "Content-Length: ",
      "Content-Length: 1e3",
      "Content-Type: x",
      "Content-Length: 3\r\nContent-Length: 4",
      "Content-Length: 3\r\ngarbage",
    ]) {
      expect(parseHeaderBlock(block)).toHaveProperty("error");
    }
  });
});

describe("MessageFramer", () => {
  test("splits messages however the bytes are chunked", () => {
    const stream = frame('{"a":1}') + frame('{"b":"é"}');
    expect(run([stream])).toEqual(['{"a":1}', '{"b":"é"}']);
    expect(run(stream.split(""))).toEqual(['{"a":1}', '{"b":"é"}']);
  });

  test("a negative length is dropped and the message after it in the same chunk comes out at once", () => {
    expect(run(["Content-Length: -5\r\n\r\n" + frame('{"ok":1}')])).toEqual([
      { kind: "bad-header", reason: 'Content-Length must be a non-negative integer, got "-5"' },
      '{"ok":1}',
    ]);
  });

  test("missing and non-numeric lengths are dropped the same way", () => {
    for (const bad of ["Content-Type: x\r\n\r\n", "Content-Length: ten\r\n\r\n", "\r\n\r\n"]) {
      const events = run([bad + frame("{}")]);
      expect(events.at(-1)).toBe("{}");
      expect(events.slice(0, -1)).toEqual([expect.objectContaining({ kind: "bad-header" })]);
    }
  });

  test("noise before a header, such as the rest of a mis-sized body, is skipped up to the header", () => {
    const events = run(["Content-Length: 3\r\n\r\n" + '{"a":"long"}' + frame('{"next":true}')]);
    expect(events).toEqual(['{"a', { kind: "skipped", bytes: 9 }, '{"next":true}']);
    expect(run(["\u0001\u00ffrandom bytes" + frame("[]")])).toEqual([{ kind: "skipped", bytes: 15 }, "[]"]);
  });

  test("a length above the limit is refused without buffering its body, and framing resumes after it", () => {
    const huge = `Content-Length: 99999999999\r\n\r\n`;
    const events = run([huge, "x".repeat(100_000), frame('{"after":1}')], 1000);
    expect(events[0]).toEqual({ kind: "too-large", length: 99999999999 });
    expect(events.at(-1)).toBe('{"after":1}');
    expect(run([frame("x".repeat(1001))], 1000)[0]).toEqual({ kind: "too-large", length: 1001 });
    expect(run([frame("x".repeat(1000))], 1000)).toEqual(["x".repeat(1000)]);
  });

  test("a length that is too long ends where the next header begins, in one chunk or across chunks", () => {
    const overDeclared = `Content-Length: 500\r\n\r\n{"id":1}`;
    const shortBody = { kind: "short-body", declared: 500, received: 8 };
    expect(run([overDeclared + frame('{"next":1}')])).toEqual([shortBody, '{"id":1}', '{"next":1}']);
    const pieces = (overDeclared + frame('{"next":1}')).match(/.{1,7}/gs) ?? [];
    expect(run(pieces)).toEqual([shortBody, '{"id":1}', '{"next":1}']);
    // Too long by only a few bytes: the next header begins inside the declared body but ends after it.
    const slightly = `Content-Length: 10\r\n\r\n{"id":1}` + frame('{"next":1}');
    expect(run([slightly])).toEqual([{ kind: "short-body", declared: 10, received: 8 }, '{"id":1}', '{"next":1}']);
  });

  test("bodies that merely mention a header, or hold blank lines between tokens, are not cut", () => {
    const mentions = JSON.stringify({ text: "Content-Length: 5\r\n\r\nbody", "content-length:": 5 });
    const prettyPrinted = '{\r\n\r\n"a": 1,\r\n\r\n"Content-Length: 3": 2\r\n\r\n}';
    expect(run([frame(mentions) + frame(prettyPrinted)])).toEqual([mentions, prettyPrinted]);
    expect(run((frame(mentions) + frame(prettyPrinted)).split(""))).toEqual([mentions, prettyPrinted]);
  });

  test("noise without any header end is trimmed rather than kept", () => {
    const framer = new MessageFramer(1000);
    for (let i = 0; i < 100; i++) framer.push(Buffer.alloc(10_000, 0x41));
    expect(framer.push(Buffer.from(frame("{}")))).toEqual([
      { kind: "skipped", bytes: expect.any(Number) as number },
      { kind: "message", body: Buffer.from("{}") },
    ]);
  });
});
