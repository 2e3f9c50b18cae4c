import { describe, expect, it } from "vitest";
import { redactUrl, redactUrlsIn } from "../../server/security/redact-url.js";

describe("redactUrl", () => {
  it.each([
    ["http://user:hunter2@10.0.0.5:11434", "http://***@10.0.0.5:11434"],
    ["https://tok3n@ollama.example.com/", "https://***@ollama.example.com/"],
    ["http://127.0.0.1:11434/?token=abc123&mode=x", "http://127.0.0.1:11434/?token=***&mode=***"],
    ["http://h/p#access_token=abc", "http://h/p#access_token=***"],
    ["http://127.0.0.1:11434", "http://127.0.0.1:11434"],
    ["not a url", "not a url"],
  ])("%s -> %s", (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it("finds URLs inside messages, including quoted ones in error texts", () => {
    const message =
      "Ollama is not reachable at http://me:pw@host:1 (TypeError: Request cannot be constructed from a URL that includes credentials: http://me:pw@host:1/api/tags?key=k)";
    const redacted = redactUrlsIn(message);
    expect(redacted).not.toMatch(/pw|key=k/);
    expect(redacted).toContain("http://***@host:1/api/tags?key=***");
    expect(redactUrlsIn('"http://a:b@c"')).toBe('"http://***@c"');
  });
});
