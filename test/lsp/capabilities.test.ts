import { describe, expect, test } from "vitest";
import { computeCapabilities } from "../../server/lsp/capabilities.js";
import { fullClientCapabilities } from "../support/lsp-client.js";

describe("computeCapabilities", () => {
  test("a full-featured client", () => {
    expect(computeCapabilities(fullClientCapabilities())).toMatchSnapshot();
  });

  test("a bare client gets plain code actions, UTF-16 and no folder support", () => {
    expect(computeCapabilities({})).toMatchSnapshot();
  });

  test.each([
    [["utf-8", "utf-16"], "utf-8"],
    [["utf-16"], "utf-16"],
    [["utf-32"], "utf-16"],
    [undefined, "utf-16"],
  ])("offered %j negotiates %s", (offered, expected) => {
    const negotiated = computeCapabilities({ general: offered ? { positionEncodings: offered } : {} });
    expect(negotiated.positionEncoding).toBe(expected);
    expect(negotiated.capabilities.positionEncoding).toBe(expected);
  });

  test("lazy edits only when the client can resolve the edit property", () => {
    const caps = fullClientCapabilities();
    expect(computeCapabilities(caps).lazyCodeActionEdits).toBe(true);
    caps.textDocument!.codeAction!.resolveSupport = { properties: ["command"] };
    expect(computeCapabilities(caps).lazyCodeActionEdits).toBe(false);
  });
});
