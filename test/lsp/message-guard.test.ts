import { describe, expect, test } from "vitest";
import { checkParsedMessage, decodeBody } from "../../server/lsp/message-guard.js";

const limits = { maxDepth: 64, maxBytes: 1024 };
const decode = (text: string): ReturnType<typeof decodeBody> => decodeBody(Buffer.from(text, "utf8"), limits);
const nested = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);

describe("decodeBody", () => {
  test("passes requests, notifications and responses through parsed", () => {
    expect(decode('{"jsonrpc":"2.0","id":1,"method":"m","params":{}}')).toEqual({
      message: { jsonrpc: "2.0", id: 1, method: "m", params: {} },
    });
    expect(decode('{"jsonrpc":"2.0","method":"n"}')).toHaveProperty("message");
    expect(decode('{"jsonrpc":"2.0","id":0,"result":null}')).toHaveProperty("message");
    expect(decode('{"jsonrpc":"2.0","id":"s","method":"shutdown","params":null}')).toHaveProperty("message");
    expect(decode(`{"jsonrpc":"2.0","id":1,"method":"m","params":${nested(63)}}`)).toHaveProperty("message");
  });

  test("refuses deep nesting with InvalidRequest and the request's id, without parsing it", () => {
    expect(decode(`{"jsonrpc":"2.0","id":7,"method":"m","params":${nested(64)}}`)).toEqual({
      refusal: {
        reason: "message refused: nested 65 levels deep, more than the limit of 64",
        response: {
          jsonrpc: "2.0",
          id: 7,
          error: { code: -32600, message: "message refused: nested 65 levels deep, more than the limit of 64" },
        },
      },
    });
    expect(decode(nested(5000))).toMatchObject({ refusal: { response: { id: null, error: { code: -32600 } } } });
  });

  test("invalid JSON is a parse error, with the id when it can be read", () => {
    expect(decode('{"id":3,"method":')).toMatchObject({ refusal: { response: { id: 3, error: { code: -32700 } } } });
    expect(decode("")).toMatchObject({ refusal: { response: { id: null, error: { code: -32700 } } } });
  });

  test("values that are no JSON-RPC message are invalid requests", () => {
    for (const [text, id] of [
      ["42", null],
      ["[1,2]", null],
      ['{"hello":"world"}', null],
      ['{"id":5}', 5],
      ['{"id":5,"method":42}', 5],
      ['{"id":{},"method":"m"}', null],
      ['{"id":6,"method":"m","params":"text"}', 6],
    ] as const) {
      expect(decode(text)).toMatchObject({ refusal: { response: { id, error: { code: -32600 } } } });
    }
  });
});

describe("checkParsedMessage", () => {
  test("applies the depth bound and the shape check to values that arrived parsed", () => {
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(checkParsedMessage({ id: 4, method: "m", params: deep }, limits)).toMatchObject({
      refusal: { response: { id: 4, error: { code: -32600 } } },
    });
    expect(checkParsedMessage({ method: "m", params: {} }, limits)).toHaveProperty("message");
    expect(checkParsedMessage("text", limits)).toHaveProperty("refusal");
  });
});
