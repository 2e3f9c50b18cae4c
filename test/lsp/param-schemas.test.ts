import { describe, expect, test } from "vitest";
import * as schemas from "../../server/lsp/param-schemas.js";

const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 2147483647 } };

describe("parameter schemas", () => {
  test("accept what real clients send, extra properties included", () => {
    expect(
      schemas.codeActionParams.safeParse({
        textDocument: { uri: "file:///a.py" },
        range,
        context: {
          diagnostics: [
            {
              range,
              message: "assert 1 == 2",
              severity: 1,
              code: "E1",
              codeDescription: { href: "https://example.invalid" },
              source: "pytest",
              tags: [1],
              relatedInformation: [{ location: { uri: "file:///a.py", range }, message: "here" }],
              data: { anything: true },
            },
          ],
          only: ["quickfix"],
          triggerKind: 1,
        },
        workDoneToken: "t",
      }).success,
    ).toBe(true);
    expect(
      schemas.didChangeParams.safeParse({
        textDocument: { uri: "file:///a.py", version: 3 },
        contentChanges: [{ range, rangeLength: 2, text: "x" }, { text: "whole" }],
      }).success,
    ).toBe(true);
    expect(schemas.didChangeConfigurationParams.safeParse(undefined).success).toBe(true);
    expect(
      schemas.codeActionResolveParams.safeParse({ title: "Repair here", command: { title: "t", command: "c" } })
        .success,
    ).toBe(true);
    expect(
      schemas.initializeParams.safeParse({
        processId: 1,
        rootUri: null,
        capabilities: { general: { positionEncodings: ["utf-16"] }, workspace: 7 },
        workspaceFolders: null,
      }).success,
    ).toBe(true);
  });

  test("refuse a change whose range is broken rather than read it as a whole new text", () => {
    for (const change of [{ range: "x", text: "t" }, { range: null, text: "t" }, { text: 1 }]) {
      expect(
        schemas.didChangeParams.safeParse({
          textDocument: { uri: "file:///a.py", version: 2 },
          contentChanges: [change],
        }).success,
      ).toBe(false);
    }
  });

  test("refuse negative and fractional positions, and name the failing path", () => {
    const params = {
      textDocument: { uri: "file:///a.py" },
      range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0.5 } },
      context: { diagnostics: [] },
    };
    const result = schemas.codeActionParams.safeParse(params);
    expect(result.success).toBe(false);
    if (!result.success)
      expect(schemas.describeIssues(result.error)).toMatch(/^range\.start\.line: .*; range\.end\.character: /);
  });
});
