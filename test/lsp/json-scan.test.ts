import { describe, expect, test } from "vitest";
import { nestsDeeperThan, scanJsonBody } from "../../server/lsp/json-scan.js";

const scan = (text: string): ReturnType<typeof scanJsonBody> => scanJsonBody(Buffer.from(text, "utf8"));

describe("scanJsonBody", () => {
  test("measures the deepest nesting of arrays and objects", () => {
    expect(scan('"just a string"').depth).toBe(0);
    expect(scan("[]").depth).toBe(1);
    expect(scan('{"a":[{"b":[]}],"c":{}}').depth).toBe(4);
    expect(scan("[".repeat(5000) + "]".repeat(5000)).depth).toBe(5000);
  });

  test("brackets and quotes inside strings do not count, escapes included", () => {
    expect(scan('{"text":"[[[{{{ \\" ]]] \\\\"}').depth).toBe(1);
    expect(scan('["é[😀{", "\\\\", "\\"["]').depth).toBe(1);
  });

  test("reads a top-level string or number id wherever it stands, even after a too-deep member", () => {
    expect(scan('{"jsonrpc":"2.0","id":7,"method":"x"}').id).toBe(7);
    expect(scan('{"id" : "req-1" }').id).toBe("req-1");
    expect(scan(`{"method":"x","params":${"[".repeat(3000)}${"]".repeat(3000)},"id":42}`).id).toBe(42);
  });

  test("ignores ids that are nested, structured, or look like ids only inside strings", () => {
    expect(scan('{"params":{"id":5}}').id).toBeUndefined();
    expect(scan('{"id":{"x":1}}').id).toBeUndefined();
    expect(scan('{"note":"\\"id\\":3"}').id).toBeUndefined();
    expect(scan('[{"id":1}]').id).toBeUndefined();
    expect(scan('{"id":3,"id2":').id).toBe(3);
  });

  test("broken JSON still yields a depth and, when readable, the id", () => {
    expect(scan('{"id":9,"params":[[[').depth).toBe(4);
    expect(scan('{"id":9,"params":[[[').id).toBe(9);
    expect(scan("]]]}}}").depth).toBe(0);
  });
});

describe("nestsDeeperThan", () => {
  test("counts containers like the scan does and stops past the limit", () => {
    expect(nestsDeeperThan(42, 0)).toBe(false);
    expect(nestsDeeperThan([], 0)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: [] }] }, 4)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: [] }] }, 3)).toBe(true);
  });

  test("walks values far deeper than the call stack allows", () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nestsDeeperThan(deep, 64)).toBe(true);
  });
});
