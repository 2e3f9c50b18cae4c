import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSecretLine, maskSecretLines } from "../../server/security/secrets.js";

// Credentials are assembled at run time so that the repository itself holds nothing a secret scanner would flag.
const fake = (prefix: string, length: number, alphabet = "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8"): string =>
  prefix + Array.from({ length }, (_, i) => alphabet[(i * 7) % alphabet.length]).join("");

describe("isSecretLine", () => {
  it.each([
    ["an AWS access key id", `aws_id = "${"AKIA"}IOSFODNN7EXAMPLE"`],
    ["a GitHub token", `const t = "${fake("ghp_", 36)}";`],
    ["a GitHub fine-grained token", `${fake("github_pat_", 40)}`],
    ["a Slack token", `slack("${"xoxb"}-12345-67890-abcdefghij")`],
    ["an OpenAI key", `client = OpenAI(api=${JSON.stringify(fake("sk-", 40))})`],
    ["a GitLab token", `GL=${fake("glpat-", 20)}`],
    ["a private key header", "-----BEGIN RSA PRIVATE KEY-----"],
    ["an OpenSSH private key header", "-----BEGIN OPENSSH PRIVATE KEY-----"],
    ["a URL with a password", 'db = connect("postgres://admin:s3cr3t@db.internal/app")'],
    ["an assignment to *_KEY", 'STRIPE_KEY = "abc123def456"'],
    ["an assignment to *TOKEN*", "  accessToken: 'q8w7e6r5t4y3',"],
    ["an assignment to *PASSWORD*", 'db_password := "hunter2hunter2"'],
    ["a JSON secret", '  "client_secret": "4f9a8b7c6d5e",'],
    ["a typed constant", 'const API_KEY: string = "k-1234567890";'],
    ["an env file line", "export SECRET_TOKEN=abcdef123456"],
    ["a high-entropy token", `blob = ${JSON.stringify(fake("", 40))}`],
  ])("flags %s", (_, line) => {
    expect(isSecretLine(line)).toBe(true);
  });

  it.each([
    ["ordinary code", "return (ordered[mid] + ordered[mid - 1]) / 2"],
    ["a dictionary key", 'key = "name"'],
    ["a tokeniser", "token = tokens[i]"],
    ["a secret read from the environment", 'SECRET_KEY = os.environ["SECRET_KEY"]'],
    ["a placeholder", 'API_KEY = "<your key here>"'],
    ["an empty password", 'password = ""'],
    ["a short separator", 'TOKEN_SEP = ","'],
    ["a sentence under a secret name", 'password_hint = "ask the admin for it"'],
    ["a hex digest", 'EXPECTED = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"'],
    ["a long identifier", "result = computeTheMedianOfAllTheValuesInTheList(values)"],
    ["a URL without credentials", 'fetch("https://example.com/api/v1/users?id=3")'],
  ])("leaves %s alone", (_, line) => {
    expect(isSecretLine(line)).toBe(false);
  });
});

describe("maskSecretLines", () => {
  it("empties secret lines down to their indentation and keeps every other byte and the line count", () => {
    const text = `def f():\r\n    token_secret = "q8w7e6r5t4y3"\r\n    return 1\r\n`;
    const masked = maskSecretLines(text);
    expect(masked).toBe("def f():\r\n    \r\n    return 1\r\n");
    expect(maskSecretLines("a = 1\nb = 2")).toBe("a = 1\nb = 2");
  });
});

/** Source files of the test fixtures: real code in every language, none of it secret. */
function fixtureSources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) continue;
    if (statSync(path).isDirectory()) fixtureSources(path, out);
    else if (/\.(py|js|ts|java|c|cpp|go|rs)$/.test(name)) out.push(path);
  }
  return out;
}

describe("false positives on real code", () => {
  it("flag no line of the fixture projects", () => {
    const flagged = fixtureSources(join(import.meta.dirname, "..", "fixtures")).flatMap((path) =>
      readFileSync(path, "utf8")
        .split("\n")
        .filter((line) => isSecretLine(line))
        .map((line) => `${path}: ${line}`),
    );
    expect(flagged).toEqual([]);
  });
});
