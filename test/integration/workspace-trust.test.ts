/**
 * A cloned repository must not act on the user's behalf: each test opens a folder whose .repair-ls.json is hostile
 * and drives the built server over stdio as an editor would.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LspTestClient, SERVER_MAIN, type ReceivedNotification } from "../support/lsp-client.js";
import { EMBED_MODEL, startOllamaTestServer, type OllamaTestServer } from "../support/ollama-test-server.js";
import { writeFiles } from "../support/workspace-copy.js";
import { tempDir } from "../support/temp.js";

// Assembled at run time so that the repository holds nothing a secret scanner would flag.
const API_KEY = "sk-" + "Zq7Xw2Lp9Rt4Vb8Nm3Kd6Hs1";
const SOURCE = `PAYMENTS_API_KEY = "${API_KEY}"\n\n\ndef total(prices):\n    return sum(prices)\n`;
const TRUST_TITLE = "Trust folder";

let root: string;
let workspace: string;
let outside: string;
let trustFile: string;
let clients: LspTestClient[] = [];
let ollama: OllamaTestServer | undefined;

beforeEach(() => {
  // Real paths, so that paths the server reports (it resolves links) compare equal on systems with a linked tmp.
  root = realpathSync(tempDir("repair-ls-trust-"));
  workspace = join(root, "cloned");
  outside = join(root, "sibling");
  trustFile = join(root, "state", "trusted-folders.json");
  writeFiles(workspace, { "billing.py": SOURCE });
  writeFiles(outside, { "keep.txt": "the user's own file\n" });
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.kill()));
  clients = [];
  await ollama?.close();
  ollama = undefined;
});

function hostileSettings(settings: Record<string, unknown>): void {
  writeFiles(workspace, { ".repair-ls.json": JSON.stringify(settings) });
}

/** A server whose remembered trust answers live in this test's folder, and whose default Ollama host is closed. */
function start(): LspTestClient {
  const client = LspTestClient.start(["--stdio"], {
    REPAIR_LS_TRUST_FILE: trustFile,
    OLLAMA_HOST: "http://127.0.0.1:9",
    REPAIR_LS_LOG: "debug",
  });
  clients.push(client);
  return client;
}

function jobFinished(client: LspTestClient, kind: string): Promise<ReceivedNotification> {
  return client.waitForNotification(
    (n) => n.method === "repair/jobFinished" && (n.params as { kind: string }).kind === kind,
    120_000,
  );
}

function trustPrompts(client: LspTestClient): unknown[] {
  return client.serverRequests.filter(
    (r) => r.method === "window/showMessageRequest" && JSON.stringify(r.params).includes(TRUST_TITLE),
  );
}

async function fixAllFailing(client: LspTestClient): Promise<{ status: string; message: string }> {
  const { jobId } = await client.connection.sendRequest<{ jobId: string }>("workspace/executeCommand", {
    command: "repair.fixAllFailing",
    arguments: [],
  });
  const finished = await client.waitForNotification(
    (n) => n.method === "repair/jobFinished" && (n.params as { jobId: string }).jobId === jobId,
    120_000,
  );
  return finished.params as { status: string; message: string };
}

describe("index.path from the workspace file", () => {
  test.each([
    ["an absolute path", () => outside],
    ["a path up and out", () => "../sibling"],
    ["a link planted inside .repair-ls/", () => ".repair-ls/escape/index"],
  ])("%s is refused with a message naming the key and the file; nothing is written outside", async (_, indexPath) => {
    mkdirSync(join(workspace, ".repair-ls"));
    symlinkSync(outside, join(workspace, ".repair-ls", "escape"));
    hostileSettings({ "index.path": indexPath() });
    const client = start();
    await client.initialize({ rootPath: workspace });
    expect((await jobFinished(client, "index")).params).toMatchObject({ status: "done" });

    expect(readdirSync(outside)).toEqual(["keep.txt"]);
    expect(existsSync(join(workspace, ".repair-ls", "index"))).toBe(true);
    const refusal = client.messages("window/showMessage").find((m) => m.includes('"index.path"'));
    expect(refusal).toContain(join(workspace, ".repair-ls.json"));
    expect(refusal).toContain('".repair-ls/index"');
  });

  test("the user's own index.path is honoured, even outside the folder", async () => {
    const client = start();
    await client.initialize({ rootPath: workspace, initializationOptions: { "index.path": join(outside, "idx") } });
    expect((await jobFinished(client, "index")).params).toMatchObject({ status: "done" });
    expect(readdirSync(outside).sort()).toContain("idx");
  });
});

describe("keys that run programs", () => {
  const marker = (): string => join(root, "pwned");
  const writeMarker = (): string =>
    `node -e "require('fs').writeFileSync(process.argv[1], 'ran')" ${JSON.stringify(marker())}`;

  test("an untrusted workspace file cannot grant itself test.allowRun or choose test.command", async () => {
    hostileSettings({ "test.allowRun": "always", "test.command": writeMarker(), "index.enabled": false });
    const client = start();
    await client.initialize({ rootPath: workspace });
    const outcome = await fixAllFailing(client);

    expect(outcome.status).toBe("not-allowed");
    expect(existsSync(marker())).toBe(false);
    const notice = client.messages("window/showMessage").find((m) => m.includes("until you trust"));
    expect(notice).toContain('"test.command"');
    expect(notice).toContain('"test.allowRun"');
    expect(notice).toContain(join(workspace, ".repair-ls.json"));
    expect(notice).not.toContain("invalid setting");
    // Asked once; a dismissed question is not remembered.
    expect(trustPrompts(client)).toHaveLength(1);
    expect(existsSync(trustFile)).toBe(false);
  });

  test("a workspace file cannot trust itself", async () => {
    hostileSettings({
      "security.trustWorkspaceSettings": true,
      "security.trustedFolders": ["/"],
      "test.allowRun": "always",
      "test.command": writeMarker(),
      "index.enabled": false,
    });
    const client = start();
    await client.initialize({ rootPath: workspace });
    expect((await fixAllFailing(client)).status).toBe("not-allowed");
    expect(existsSync(marker())).toBe(false);
    expect(client.messages("window/showMessage").join("\n")).toMatch(
      /ignored "security\.trustWorkspaceSettings" in .*\.repair-ls\.json: only your own settings can trust a folder/,
    );
  });

  test("trusting the folder at the prompt honours its settings, and the answer is remembered across sessions", async () => {
    hostileSettings({ "test.allowRun": "always", "test.command": writeMarker(), "index.enabled": false });
    const first = start();
    first.showMessageRequest = (params) =>
      params.actions?.find((a) => a.title === TRUST_TITLE) ?? params.actions?.[0] ?? null;
    await first.initialize({ rootPath: workspace });
    await first.waitForNotification(
      (n) => n.method === "window/logMessage" && JSON.stringify(n.params).includes("are trusted and applied"),
    );
    expect(JSON.parse(readFileSync(trustFile, "utf8"))).toEqual({
      version: 1,
      folders: { [workspace]: "trusted" },
    });
    await fixAllFailing(first);
    expect(existsSync(marker())).toBe(true);
    await first.shutdown();

    const second = start();
    await second.initialize({ rootPath: workspace });
    await fixAllFailing(second);
    expect(trustPrompts(second)).toHaveLength(0);
    expect(second.messages("window/showMessage").some((m) => m.includes("until you trust"))).toBe(false);
  });

  test("the user's security.trustedFolders setting trusts the folder without a prompt", async () => {
    hostileSettings({ "test.allowRun": "always", "test.command": writeMarker(), "index.enabled": false });
    const client = start();
    client.configuration = () => ({ security: { trustedFolders: [root] } });
    await client.initialize({ rootPath: workspace });
    await fixAllFailing(client);
    expect(existsSync(marker())).toBe(true);
    expect(trustPrompts(client)).toHaveLength(0);
  });
});

describe("keys that send code to a host", () => {
  test("index.embedder ollama with an ollama.host sends nothing there until trusted, and never a secret line", async () => {
    ollama = await startOllamaTestServer({ embedDimension: 32 });
    hostileSettings({
      "index.embedder": "ollama",
      "ollama.host": ollama.url,
      "index.embeddingModel": EMBED_MODEL.name,
    });
    const untrusted = start();
    await untrusted.initialize({ rootPath: workspace });
    expect((await jobFinished(untrusted, "index")).params).toMatchObject({ status: "done" });
    await untrusted.shutdown();
    expect(ollama.requests).toEqual([]);

    // The same folder once the user trusts it: the host is used, but the line holding the key is never sent.
    const trusted = start();
    await trusted.initialize({
      rootPath: workspace,
      initializationOptions: { "security.trustedFolders": [workspace] },
    });
    expect((await jobFinished(trusted, "index")).params).toMatchObject({ status: "done" });
    const embedded = ollama.requests.filter((r) => r.path === "/api/embed").map((r) => JSON.stringify(r.body));
    expect(embedded.join("\n")).toContain("return sum(prices)");
    expect(embedded.join("\n")).not.toContain(API_KEY);
  });
});

describe("credentials in messages", () => {
  test("an ollama.host with user:password@ and ?token= is shown redacted in every message", async () => {
    const host = "http://alice:hunter2@127.0.0.1:9/?token=s3cr3tvalue";
    const client = start();
    await client.initialize({
      rootPath: workspace,
      initializationOptions: { "index.embedder": "ollama", "ollama.host": host },
    });
    await jobFinished(client, "index");
    const messages = [...client.messages("window/showMessage"), ...client.messages("window/logMessage")];
    const aboutHost = messages.filter((m) => m.includes("127.0.0.1:9"));
    expect(aboutHost.length).toBeGreaterThan(0);
    expect(aboutHost.join("\n")).toContain("http://***@127.0.0.1:9");
    expect(JSON.stringify(client.notifications)).not.toMatch(/hunter2|s3cr3tvalue/);
  });
});

describe("the CLI", () => {
  test("fix-all DIR is the user's consent: the folder's test.command is honoured", () => {
    hostileSettings({ "test.command": "node --test checks/ok.mjs", "index.enabled": false });
    writeFiles(workspace, {
      "checks/ok.mjs": 'import { test } from "node:test";\ntest("adds", () => {});\n',
    });
    const run = spawnSync(process.execPath, [SERVER_MAIN, "fix-all", workspace, "--engine", "builtin"], {
      encoding: "utf8",
      env: { ...process.env, REPAIR_LS_TRUST_FILE: trustFile },
      timeout: 120_000,
    });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain("nothing to repair");
  });
});
